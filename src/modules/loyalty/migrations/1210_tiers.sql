-- Member tiers (issue 5): spend ledger over a rolling 12 months, and the tier each person holds.
CREATE TABLE tier_spend (
  id          bigserial PRIMARY KEY,
  customer_id text NOT NULL,
  order_ref   text NOT NULL,
  -- 'order' (+ paid total), 'return:<ref>' or 'cancel' (- what was given back)
  ref         text NOT NULL,
  amount      bigint NOT NULL,
  -- the order's time: reductions are dated with their order so the rolling window stays exact
  at          timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_ref, ref)
);
CREATE INDEX tier_spend_customer ON tier_spend (customer_id, at);

CREATE TABLE customer_tiers (
  customer_id text PRIMARY KEY,
  tier        text NOT NULL,
  since       timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_tiers_tier ON customer_tiers (tier);
