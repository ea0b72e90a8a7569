-- Per-product low-stock rule (issue 16): a SKU is low at a location when its available units
-- (on hand − reserved) are at or below this threshold; it replaces the policy's store threshold.
CREATE TABLE low_stock_rules (
  sku        text PRIMARY KEY REFERENCES products(sku),
  threshold  integer NOT NULL CHECK (threshold >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
