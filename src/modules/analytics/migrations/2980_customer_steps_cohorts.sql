-- Customers and cohorts from small tables (issue 14's speed, analytics/customer-derived.ts). Derived
-- from analytics_customer_daily per person (One ID root) and kept in step with it in the dispatcher's
-- transaction; `santong analytics rebuild` recomputes them (filled below from the customer-days
-- already there). Days are the retailer's time zone; money is fen.

-- Distinct buyers and repeaters of any range without hashing people. Each person's sales (orders,
-- paid or completed) in day order, a day with k sales counted k times: kind 'o1' counts sales by
-- (day, day of the person's previous sale), kind 'o2' the sales that have a previous one by (day,
-- day of the sale before that); '0001-01-01' = none. For a range [f, t]:
--   buyers = Σ o1 with day in [f, t] and back_day < f (each buyer's first sale in the range);
--   Σ o2 with day in [f, t] and back_day < f = returning buyers (their first sale in the range)
--     + buyers with 2 or more sales (their second), so repeaters = that − (buyers − new).
-- Kinds 'online' and 'store' count each person's sale days in that channel group by (day, the
-- group's sale day before): buyers online + buyers in store − buyers = cross-channel buyers.
-- Bounded by days × days, not by people.
CREATE TABLE analytics_customer_steps (
  kind     text NOT NULL CHECK (kind IN ('o1', 'o2', 'online', 'store')),
  day      date NOT NULL,
  back_day date NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (kind, day, back_day)
);

-- The identified buyers' sales and returns per day (the sum of analytics_customer_daily's rows).
CREATE TABLE analytics_customer_day_sums (
  day         date PRIMARY KEY,
  gross_sales bigint NOT NULL DEFAULT 0,
  discounts   bigint NOT NULL DEFAULT 0,
  refunds     bigint NOT NULL DEFAULT 0,
  orders      integer NOT NULL DEFAULT 0
);

-- The customer-days with refunds, by day: the people with returns in a range, whose net sales count
-- only where they also bought in it.
CREATE INDEX analytics_customer_daily_refund_days ON analytics_customer_daily (day, root) WHERE refunds <> 0;

-- Cohorts: per calendar period kind (week, month), first-sale day and day, `active` = the people of
-- that first-sale day whose first sale in the day's week (month) is that day, `net` = their net sales
-- that day (gross − discounts − refunds). Active people of a cohort in a period up to `to` = Σ active
-- over its days up to `to`, whatever the first day in the period.
CREATE TABLE analytics_cohort_days (
  period    text NOT NULL CHECK (period IN ('week', 'month')),
  first_day date NOT NULL,
  day       date NOT NULL,
  active    integer NOT NULL DEFAULT 0,
  net       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (period, first_day, day)
);

-- Filled from the customer-days already there (the same SQL as customer-derived.ts's rebuild), so
-- that the reports are right before the next `santong analytics rebuild`.
CREATE TEMPORARY TABLE person_days_2980 AS
SELECT root, day, sum(orders)::int AS orders, sum(gross_sales - discounts - refunds) AS net,
       bool_or(channel_group = 'online' AND orders > 0) AS online, bool_or(channel_group = 'store' AND orders > 0) AS store
FROM analytics_customer_daily GROUP BY root, day;

INSERT INTO analytics_customer_day_sums (day, gross_sales, discounts, refunds, orders)
SELECT day, sum(gross_sales), sum(discounts), sum(refunds), sum(orders) FROM analytics_customer_daily
GROUP BY day HAVING sum(gross_sales) <> 0 OR sum(discounts) <> 0 OR sum(refunds) <> 0 OR sum(orders) <> 0
ORDER BY day;

INSERT INTO analytics_customer_steps (kind, day, back_day, n)
SELECT v.kind, x.day, v.back_day, count(*)::int
FROM (
  SELECT e.day, lag(e.day) OVER w AS b1, lag(e.day, 2) OVER w AS b2
  FROM (SELECT p.root, p.day FROM person_days_2980 p CROSS JOIN LATERAL generate_series(1, p.orders) g WHERE p.orders > 0) e
  WINDOW w AS (PARTITION BY e.root ORDER BY e.day)) x
CROSS JOIN LATERAL (VALUES ('o1', coalesce(x.b1, DATE '0001-01-01')),
                           ('o2', CASE WHEN x.b1 IS NOT NULL THEN coalesce(x.b2, DATE '0001-01-01') END)) AS v(kind, back_day)
WHERE v.back_day IS NOT NULL
GROUP BY 1, 2, 3
UNION ALL
SELECT grp, day, back_day, count(*)::int FROM (
  SELECT g.grp, p.day, coalesce(lag(p.day) OVER (PARTITION BY p.root, g.grp ORDER BY p.day), DATE '0001-01-01') AS back_day
  FROM person_days_2980 p
  CROSS JOIN LATERAL (VALUES ('online', p.online), ('store', p.store)) AS g(grp, bought) WHERE g.bought) y
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;

INSERT INTO analytics_cohort_days (period, first_day, day, active, net)
SELECT period, first_day, day, count(*) FILTER (WHERE orders > 0 AND day = period_first)::int, sum(net)::bigint
FROM (
  SELECT k.period, p.day, p.orders, p.net,
         min(p.day) FILTER (WHERE p.orders > 0) OVER (PARTITION BY k.period, p.root) AS first_day,
         min(p.day) FILTER (WHERE p.orders > 0) OVER (PARTITION BY k.period, p.root, date_trunc(k.period, p.day)) AS period_first
  FROM person_days_2980 p CROSS JOIN (VALUES ('week'), ('month')) AS k(period)) x
WHERE first_day IS NOT NULL AND day >= first_day
GROUP BY 1, 2, 3
HAVING count(*) FILTER (WHERE orders > 0 AND day = period_first) <> 0 OR sum(net) <> 0
ORDER BY 1, 2, 3;

DROP TABLE person_days_2980;
