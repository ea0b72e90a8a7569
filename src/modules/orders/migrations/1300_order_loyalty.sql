-- Coupons and points on orders (loyalty): per line, so returns refund and give back exactly.
ALTER TABLE orders
  ADD COLUMN coupon_discount bigint NOT NULL DEFAULT 0 CHECK (coupon_discount >= 0),
  ADD COLUMN points_used     bigint NOT NULL DEFAULT 0 CHECK (points_used >= 0),
  ADD COLUMN points_discount bigint NOT NULL DEFAULT 0 CHECK (points_discount >= 0),
  -- the quote's explanation: coupons applied and every adjustment
  ADD COLUMN pricing         jsonb;

ALTER TABLE order_lines
  ADD COLUMN coupon_discount bigint NOT NULL DEFAULT 0 CHECK (coupon_discount >= 0),
  ADD COLUMN points_used     bigint NOT NULL DEFAULT 0 CHECK (points_used >= 0),
  ADD COLUMN points_discount bigint NOT NULL DEFAULT 0 CHECK (points_discount >= 0);
