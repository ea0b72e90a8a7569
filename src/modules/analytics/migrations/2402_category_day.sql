-- Sales by day × category over every channel, store and fulfilment kind (the sum of analytics_sku_day's
-- rows by category), for GET /v1/analytics/sales?group_by=category when no channel or store is
-- filtered: ~20 rows a day instead of ~500 (rollup.ts keeps it in step, a rebuild recomputes it).
CREATE TABLE analytics_category_day (
  day               date NOT NULL,
  category          text NOT NULL,
  gross_sales       bigint NOT NULL DEFAULT 0,
  coupon_discounts  bigint NOT NULL DEFAULT 0,
  points_discounts  bigint NOT NULL DEFAULT 0,
  refunds           bigint NOT NULL DEFAULT 0,
  orders            integer NOT NULL DEFAULT 0,
  identified_orders integer NOT NULL DEFAULT 0,
  units_sold        integer NOT NULL DEFAULT 0,
  units_returned    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, category)
);

INSERT INTO analytics_category_day (day, category, gross_sales, coupon_discounts, points_discounts, refunds, orders,
                                    identified_orders, units_sold, units_returned)
SELECT day, category, sum(gross_sales), sum(coupon_discounts), sum(points_discounts), sum(refunds), sum(orders),
       sum(identified_orders), sum(units_sold), sum(units_returned)
FROM analytics_sku_day GROUP BY day, category ORDER BY day, category;
