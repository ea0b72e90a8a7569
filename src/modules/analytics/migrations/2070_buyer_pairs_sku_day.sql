-- Faster sales analytics at scale (issue 14): distinct buyers without hashing buyers at query time,
-- and a SKU table without the channel × store × fulfilment grain. Both are derived from the 2000
-- rollups (rollup.ts keeps them in step, a rebuild recomputes them) and filled here from them.

-- Distinct identified buyers over any range, by counting each person once: a person bought in
-- [from, to] exactly once "for the first time since before from", i.e. on the day of their first
-- sale in the range, whose previous sale (in the same slice) is before `from`. One row per slice ×
-- day × previous sale day, counting the persons (One ID roots, as in analytics_buyers_daily) with a
-- sale that day whose previous sale in the slice was on prev_day ('0001-01-01' = none before).
-- Then buyers in [from, to] = Σ buyers WHERE day BETWEEN from AND to AND prev_day < from.
-- A slice fixes the dimensions a query filters or groups by: dims is one of
--   '' (all), 'ch' (channel), 'grp' (channel group: channel = 'online' | 'store'), 'loc' (location),
--   'ful' (fulfilment), 'ch+loc', 'ch+ful', 'grp+loc', 'loc+ful', 'ch+loc+ful';
-- the dimensions not in dims are ''.
CREATE TABLE analytics_buyer_days (
  dims        text NOT NULL,
  day         date NOT NULL,
  channel     text NOT NULL,
  location_id text NOT NULL,
  fulfilment  text NOT NULL,
  prev_day    date NOT NULL,
  buyers      integer NOT NULL,
  PRIMARY KEY (dims, day, channel, location_id, fulfilment, prev_day)
);

-- Sales by day × category × SKU over every channel, store and fulfilment kind (the sum of
-- analytics_sku_daily's rows), for the SKU and category figures when no channel or store is filtered.
CREATE TABLE analytics_sku_day (
  day               date NOT NULL,
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
  PRIMARY KEY (day, category, sku)
);

-- A person's buyer-days, to recompute their slices when a sale of theirs comes or goes; the old
-- (day, root) index served the query that hashed buyers, which analytics_buyer_days replaces.
DROP INDEX analytics_buyers_daily_day_root;
CREATE INDEX analytics_buyers_daily_root ON analytics_buyers_daily (root);

INSERT INTO analytics_sku_day (day, category, sku, gross_sales, coupon_discounts, points_discounts, refunds, orders,
                               identified_orders, units_sold, units_returned)
SELECT day, category, sku, sum(gross_sales), sum(coupon_discounts), sum(points_discounts), sum(refunds), sum(orders),
       sum(identified_orders), sum(units_sold), sum(units_returned)
FROM analytics_sku_daily GROUP BY day, category, sku;

INSERT INTO analytics_buyer_days (dims, day, channel, location_id, fulfilment, prev_day, buyers)
SELECT dims, day, channel, location_id, fulfilment, prev_day, count(*)
FROM (
  SELECT dims, day, channel, location_id, fulfilment,
         coalesce(lag(day) OVER (PARTITION BY dims, root, channel, location_id, fulfilment ORDER BY day), DATE '0001-01-01') AS prev_day
  FROM (
    SELECT DISTINCT s.dims, b.root, b.day,
           CASE s.ch WHEN 1 THEN b.channel WHEN 2 THEN (CASE WHEN b.channel = 'pos' THEN 'store' ELSE 'online' END) ELSE '' END AS channel,
           CASE WHEN s.loc THEN b.location_id ELSE '' END AS location_id,
           CASE WHEN s.ful THEN b.fulfilment ELSE '' END AS fulfilment
    FROM analytics_buyers_daily b
    CROSS JOIN (VALUES ('', 0, false, false), ('ch', 1, false, false), ('grp', 2, false, false), ('loc', 0, true, false),
                       ('ful', 0, false, true), ('ch+loc', 1, true, false), ('ch+ful', 1, false, true), ('grp+loc', 2, true, false),
                       ('loc+ful', 0, true, true), ('ch+loc+ful', 1, true, true)) AS s(dims, ch, loc, ful)
    WHERE b.orders > 0
  ) d
) p
GROUP BY dims, day, channel, location_id, fulfilment, prev_day;
