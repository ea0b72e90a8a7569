-- Coupon ROI and inventory health (analytics, issue 14). Days are the retailer's time zone; money is fen.

-- One row per day × coupon template (coupons.ts): coupons issued that day; redemptions made with a
-- sale at checkout, on the day the order was placed (with the order's net sales: gross − coupons −
-- points, and its refunds taken off on the day of the return); redemptions at a till for no order
-- placed with them (POST /v1/coupons/{code}/redeem), on the day they were made. Maintained from the
-- coupons' and orders' events through the outbox and recomputed by `santong analytics rebuild`.
CREATE TABLE analytics_coupon_daily (
  day         date NOT NULL,
  template_id text NOT NULL,
  issued      integer NOT NULL DEFAULT 0,
  redeemed    integer NOT NULL DEFAULT 0,
  discount    bigint NOT NULL DEFAULT 0,
  orders      integer NOT NULL DEFAULT 0,
  net_sales   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, template_id)
);

-- Coupon events already applied to analytics_coupon_daily (an event dispatched twice counts once);
-- pruned after 7 days. Events up to analytics_rollup_state.watermark are in the rebuilt figures.
CREATE TABLE analytics_coupon_applied_events (
  event_id   bigint PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The stock of every SKU × location once a day (inventory.ts): taken by the nightly task
-- (settings schedule.stock_snapshot, from its hour of the local day) and backfilled by the demo.
CREATE TABLE analytics_stock_daily (
  day              date NOT NULL,
  location_id      text NOT NULL,
  sku              text NOT NULL,
  on_hand          integer NOT NULL,
  reserved         integer NOT NULL,
  safety_stock     integer NOT NULL,
  online_available integer NOT NULL,
  PRIMARY KEY (day, location_id, sku)
);
