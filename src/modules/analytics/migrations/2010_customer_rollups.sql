-- Customer rollups (analytics/customer-rollup.ts): maintained from the orders' events with the sales
-- rollups and recomputed by `santong analytics rebuild`. Days are the retailer's time zone; money is fen.

-- One row per day × customer id on the order × channel group (online: app, mini_program, web,
-- group_buy; store: pos) with that identified buyer's sales that day (gross, discounts = coupons +
-- points, orders) and the refunds of their returns on the day of the return. `root` is the person's
-- group root when the row was last written (people are counted by root).
CREATE TABLE analytics_customer_daily (
  day           date NOT NULL,
  customer_id   text NOT NULL,
  channel_group text NOT NULL CHECK (channel_group IN ('online', 'store')),
  root          text NOT NULL,
  gross_sales   bigint NOT NULL DEFAULT 0,
  discounts     bigint NOT NULL DEFAULT 0,
  refunds       bigint NOT NULL DEFAULT 0,
  orders        integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, customer_id, channel_group)
);
CREATE INDEX analytics_customer_daily_root_day ON analytics_customer_daily (root, day);

-- The day of each person's first sale ever (the earliest day with orders in analytics_customer_daily).
CREATE TABLE analytics_customer_firsts (
  root      text PRIMARY KEY,
  first_day date NOT NULL
);
CREATE INDEX analytics_customer_firsts_day ON analytics_customer_firsts (first_day, root);
