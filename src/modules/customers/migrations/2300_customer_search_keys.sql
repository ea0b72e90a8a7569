-- Blind indexes for finding a person by what a till or a caller gives: the last four digits of a
-- phone (`phone_tail`) and the exact name (`name`), each an HMAC under the data root's index key
-- (KeyRing.blindIndex), never the plain value. One row per key and customer; a merged-away id keeps
-- its rows and is read through its root. Written with the identifiers and traits they come from
-- (identity.ts, events.ts); customers from before this migration are indexed by the start-up
-- backfill (search-keys.ts), which a SQL migration cannot do (it has no key).
CREATE TABLE customer_search_keys (
  kind        text NOT NULL,
  hash        text NOT NULL,
  customer_id text NOT NULL,
  PRIMARY KEY (kind, hash, customer_id)
);
CREATE INDEX customer_search_keys_customer ON customer_search_keys (customer_id);
