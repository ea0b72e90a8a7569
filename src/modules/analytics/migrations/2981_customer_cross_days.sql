-- Cross-channel buyers' sums without reading their customer-days (analytics/customer-derived.ts).
-- Per person, each sale day (a day with orders) with their net sales, paid amount (gross −
-- discounts) and orders that day, by whether they bought the other channel group around it. A sale
-- day d of one group is a cross-channel buyer's in [f, t] ∋ d iff the person's latest sale of the
-- other group before d (before_day) is >= f or their earliest after d (after_day) is <= t:
--   kind 'both'     a day with sales online and in store (always counts);
--   kind 'before'   one group, with an other-group sale before: counts when before_day >= f;
--   kind 'after'    one group, with an other-group sale after: counts when after_day <= t;
--   kind 'sandwich' one group with both: counted twice by the two above when both hold, so subtracted
--                   then. Its rows are read by an index range on before_day.
-- Unused dates are '0001-01-01'. Days with returns only are not here (the few people with returns
-- are summed person by person). Kept per person; the rebuild recomputes it; filled below.
CREATE TABLE analytics_customer_cross_days (
  kind       text NOT NULL CHECK (kind IN ('both', 'before', 'after', 'sandwich')),
  day        date NOT NULL,
  before_day date NOT NULL,
  after_day  date NOT NULL,
  orders     integer NOT NULL DEFAULT 0,
  net        bigint NOT NULL DEFAULT 0,
  paid       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, day, before_day, after_day)
);
CREATE INDEX analytics_customer_cross_days_sandwich ON analytics_customer_cross_days (before_day, after_day)
  WHERE kind = 'sandwich';

-- Filled from the customer-days already there (the same SQL as customer-derived.ts's rebuild).
INSERT INTO analytics_customer_cross_days (kind, day, before_day, after_day, orders, net, paid)
SELECT v.kind, x.day, v.before_day, v.after_day, sum(x.orders)::int, sum(x.net)::bigint, sum(x.paid)::bigint
FROM (
  SELECT day, orders, net, paid, online AND store AS both,
         CASE WHEN online AND NOT store THEN max(CASE WHEN store THEN day END) OVER wb
              WHEN store AND NOT online THEN max(CASE WHEN online THEN day END) OVER wb END AS b,
         CASE WHEN online AND NOT store THEN min(CASE WHEN store THEN day END) OVER wa
              WHEN store AND NOT online THEN min(CASE WHEN online THEN day END) OVER wa END AS a
  FROM (SELECT root, day, sum(orders)::int AS orders, sum(gross_sales - discounts - refunds) AS net,
               sum(gross_sales - discounts) AS paid, bool_or(channel_group = 'online' AND orders > 0) AS online,
               bool_or(channel_group = 'store' AND orders > 0) AS store
        FROM analytics_customer_daily GROUP BY root, day) p
  WINDOW wb AS (PARTITION BY root ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
         wa AS (PARTITION BY root ORDER BY day ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)) x
CROSS JOIN LATERAL (VALUES ('both', DATE '0001-01-01', DATE '0001-01-01', x.both),
                           ('before', x.b, DATE '0001-01-01', x.b IS NOT NULL),
                           ('after', DATE '0001-01-01', x.a, x.a IS NOT NULL),
                           ('sandwich', x.b, x.a, x.b IS NOT NULL AND x.a IS NOT NULL)) AS v(kind, before_day, after_day, keep)
WHERE x.orders > 0 AND v.keep
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
