-- Per-person category purchases (issue 13): what the rule language's `ordered` leaf with a category
-- and an all-time or long window reads instead of every order line (category-rollup.ts keeps it).
-- One row per customer id (not root: merges need no upkeep, people's rows are read through
-- customers/public.ts underPeople) and category with at least one sale: the number of sales with a
-- line of the category, the units and amount (fen) of those lines, the first and last sale's
-- placed_at.
CREATE TABLE segment_category_rollup (
  customer_id text NOT NULL,
  category    text NOT NULL,
  orders      integer NOT NULL,
  units       bigint NOT NULL,
  amount      bigint NOT NULL,
  first_at    timestamptz NOT NULL,
  last_at     timestamptz NOT NULL,
  PRIMARY KEY (customer_id, category)
);
CREATE INDEX segment_category_rollup_category ON segment_category_rollup (category, last_at);

-- The category each SKU had when the rollup counted its lines: a product moved to another
-- category sends its buyers' rows to be recomputed.
CREATE TABLE segment_category_skus (
  sku      text PRIMARY KEY,
  category text NOT NULL
);

-- When the rollup was last brought up to date with the orders' change feed (no row: never built).
CREATE TABLE segment_category_rollup_state (
  id        boolean PRIMARY KEY DEFAULT true CHECK (id),
  synced_at timestamptz NOT NULL,
  built_at  timestamptz NOT NULL
);
