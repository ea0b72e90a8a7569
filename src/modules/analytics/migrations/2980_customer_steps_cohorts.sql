-- Customers and cohorts from small tables (issue 14's speed, analytics/customer-derived.ts). Derived
-- from analytics_customer_daily per person (One ID root) and kept in step with it in the dispatcher's
-- transaction; `santong analytics rebuild` recomputes them (run it once after this migration: they
-- start empty, as analytics_fulfilment_timings did). Days are the retailer's time zone; money is fen.

-- Distinct buyers and repeaters of any range without hashing people. Each person's sales (orders,
-- paid or completed) in day order, a day with k sales counted k times: kind 'o1' counts sales by
-- (day, day of the person's previous sale), kind 'o2' the sales that have a previous one by (day,
-- day of the sale before that); '0001-01-01' = none. For a range [f, t]:
--   buyers = Σ o1 with day in [f, t] and back_day < f (each buyer's first sale in the range);
--   Σ o2 with day in [f, t] and back_day < f = returning buyers (their first sale in the range)
--     + buyers with 2 or more sales (their second), so repeaters = that − (buyers − new).
-- Bounded by days × days, not by people.
CREATE TABLE analytics_customer_steps (
  kind     text NOT NULL CHECK (kind IN ('o1', 'o2')),
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

-- Where a person's sale days switch channel group: per person, their (day, group) sale days in
-- order, one row where the group differs from the one before (prev_day = that one's day). A person
-- bought online and in store within [f, t] exactly when a row has prev_day >= f and day <= t.
CREATE TABLE analytics_customer_switches (
  root     text NOT NULL,
  day      date NOT NULL,
  prev_day date NOT NULL,
  PRIMARY KEY (root, day, prev_day)
);
CREATE INDEX analytics_customer_switches_prev_day ON analytics_customer_switches (prev_day, day, root);

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
