-- Sales rollups (analytics): maintained from the orders' events through the outbox (rollup.ts) and
-- recomputed by `santong analytics rebuild`. Days are the retailer's time zone; money is fen.
-- location_id '' = an order with no single store (a delivery split across locations).
-- fulfilment: in_store, pickup, hour, same_day, standard.

-- One row per day × channel × location × fulfilment kind: sales on the day they were placed, refunds
-- and returned units on the day of the return.
CREATE TABLE analytics_sales_daily (
  day               date NOT NULL,
  channel           text NOT NULL,
  location_id       text NOT NULL,
  fulfilment        text NOT NULL,
  gross_sales       bigint NOT NULL DEFAULT 0,
  coupon_discounts  bigint NOT NULL DEFAULT 0,
  points_discounts  bigint NOT NULL DEFAULT 0,
  refunds           bigint NOT NULL DEFAULT 0,
  orders            integer NOT NULL DEFAULT 0,
  identified_orders integer NOT NULL DEFAULT 0,
  units_sold        integer NOT NULL DEFAULT 0,
  units_returned    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, location_id, fulfilment)
);

-- The same by category and SKU (category as of the time the sale was recorded). orders = orders
-- with that SKU; identified_orders = those of them with a known customer.
CREATE TABLE analytics_sku_daily (
  day               date NOT NULL,
  channel           text NOT NULL,
  location_id       text NOT NULL,
  fulfilment        text NOT NULL,
  category          text NOT NULL,
  sku               text NOT NULL,
  gross_sales       bigint NOT NULL DEFAULT 0,
  coupon_discounts  bigint NOT NULL DEFAULT 0,
  points_discounts  bigint NOT NULL DEFAULT 0,
  refunds           bigint NOT NULL DEFAULT 0,
  orders            integer NOT NULL DEFAULT 0,
  identified_orders integer NOT NULL DEFAULT 0,
  units_sold        integer NOT NULL DEFAULT 0,
  units_returned    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, location_id, fulfilment, category, sku)
);

-- Distinct identified buyers do not add across days: one row per day × customer id on the order ×
-- channel × location × fulfilment with that customer's sales that day; `root` is the person's group
-- root when the row was last written (customers are counted by root).
CREATE TABLE analytics_buyers_daily (
  day         date NOT NULL,
  customer_id text NOT NULL,
  channel     text NOT NULL,
  location_id text NOT NULL,
  fulfilment  text NOT NULL,
  root        text NOT NULL,
  orders      integer NOT NULL,
  PRIMARY KEY (day, customer_id, channel, location_id, fulfilment)
);
CREATE INDEX analytics_buyers_daily_day_root ON analytics_buyers_daily (day, root);

-- Outbox events already applied (an event dispatched twice is counted once); pruned after 7 days.
CREATE TABLE analytics_applied_events (
  event_id   bigint PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The last rebuild: events up to `watermark` (outbox id) are already in the rebuilt figures.
CREATE TABLE analytics_rollup_state (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  timezone   text NOT NULL,
  watermark  bigint NOT NULL,
  rebuilt_at timestamptz NOT NULL
);
