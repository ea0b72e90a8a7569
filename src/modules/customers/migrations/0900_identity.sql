-- One ID: merges point a customer at its survivor (merged_into) and every customer knows the
-- root of its group (root_id, null = itself), so a merge moves nothing and an unmerge is exact.
ALTER TABLE customers ADD COLUMN root_id text;
ALTER TABLE customers ADD COLUMN kind text NOT NULL DEFAULT 'known' CHECK (kind IN ('known','anonymous'));
-- when each trait was last observed: {"city": "2026-11-26T...", "name": "..."}; values live in traits / pii
ALTER TABLE customers ADD COLUMN trait_seen jsonb NOT NULL DEFAULT '{}';
ALTER TABLE customers ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX customers_root ON customers ((coalesce(root_id, id)));
CREATE INDEX customers_merged_into ON customers (merged_into) WHERE merged_into IS NOT NULL;

ALTER TABLE customer_identifiers DROP CONSTRAINT customer_identifiers_type_check;
ALTER TABLE customer_identifiers ADD CONSTRAINT customer_identifiers_type_check
  CHECK (type IN ('phone','email','wechat_openid','wechat_unionid','device_id','member_card','pos_card','external','anonymous_id'));

CREATE TABLE customer_merges (
  id         text PRIMARY KEY,
  from_id    text NOT NULL REFERENCES customers(id),
  into_id    text NOT NULL REFERENCES customers(id),
  channel    text,
  -- identifier types of the request that linked them (no values)
  linked_by  text[] NOT NULL DEFAULT '{}',
  -- sealed under the survivor's data key: the traits the merge overwrote and the ones it brought
  changes    bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  undone_at  timestamptz
);
CREATE INDEX customer_merges_into ON customer_merges (into_id, created_at);
CREATE INDEX customer_merges_from ON customer_merges (from_id, created_at);

CREATE TABLE customer_tags (
  customer_id text NOT NULL REFERENCES customers(id),
  tag         text NOT NULL,
  source      text NOT NULL DEFAULT 'manual',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_tag ON customer_tags (tag, customer_id);

-- an anonymous id names exactly one anonymous profile (racing first events cannot create two)
CREATE UNIQUE INDEX customer_identifiers_anonymous ON customer_identifiers (type, value_hash) WHERE type = 'anonymous_id';
