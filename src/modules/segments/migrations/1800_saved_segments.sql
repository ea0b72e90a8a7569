-- Saved segments and computed tags (issue 13): one table for both (kind), one membership table
-- kept current by the upkeep task (membership.ts). Members are the roots of One ID groups.
CREATE TABLE saved_segments (
  id           text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('segment', 'tag')),
  name         text NOT NULL,
  description  text,
  rule         jsonb NOT NULL,
  size         integer NOT NULL DEFAULT 0,
  -- when the stored membership was last computed (null: never)
  evaluated_at timestamptz,
  -- when the upkeep task last claimed it, evaluated or not (a failing rule does not starve the others)
  attempted_at timestamptz,
  preset       boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, name)
);

CREATE TABLE segment_members (
  segment_id  text NOT NULL REFERENCES saved_segments (id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  entered_at  timestamptz NOT NULL,
  PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_members_customer ON segment_members (customer_id);

-- The presets: editable computed tags over the demo catalogue's categories (src/demo/retailer.ts).
INSERT INTO saved_segments (id, kind, name, description, rule, preset) VALUES
  ('tag_preset_high_spender', 'tag', '高消费力',
   'High spender: spent at least ¥2,000 in the last 365 days',
   '{"ordered": {"spend": {"gte": 200000}, "within_days": 365}}', true),
  ('tag_preset_mother_baby', 'tag', '母婴人群',
   'Mother & baby: bought from the mother & baby category in the last 365 days',
   '{"ordered": {"category": "mother_baby", "within_days": 365}}', true),
  ('tag_preset_3c_enthusiast', 'tag', '3C发烧友',
   '3C enthusiast: ordered electronics (category 3c) at least twice in the last 365 days',
   '{"ordered": {"category": "3c", "count": {"gte": 2}, "within_days": 365}}', true),
  ('tag_preset_price_sensitive', 'tag', '价格敏感',
   'Price-sensitive: at least 60 % of the orders of the last 365 days used a coupon',
   '{"ordered": {"coupon_share": {"gte": 0.6}, "within_days": 365}}', true);
