-- Fulfilment timings for the store league and scorecards (analytics/fulfilment-rollup.ts, issue 14):
-- one row per fulfilment of a paid online order that has a timing or an outcome to count, kept from
-- the orders' and fulfilments' events in the dispatcher's transaction (each event recomputes its
-- order's rows from fulfilment's and orders' public facts) and recomputed by `santong analytics
-- rebuild` (run it once after this migration: the table starts empty). Medians over any range are
-- exact (percentile_cont over the range's rows), which per-day medians or buckets could not give.
-- day = the day the order was placed (retailer's time zone); seconds are exact (fractions kept).
CREATE TABLE analytics_fulfilment_timings (
  order_id       text NOT NULL,
  fulfillment_id text NOT NULL,
  day            date NOT NULL,
  location_id    text NOT NULL,
  -- allocation (the payment) → ready for pickup, or → handed over to a courier or carrier
  pick_seconds   double precision,
  -- a pickup: placed → ready for pickup
  ready_seconds  double precision,
  -- a pickup made ready that ended (collected, failed or cancelled) / ended uncollected (no-show)
  pickup_ended   boolean NOT NULL,
  pickup_no_show boolean NOT NULL,
  -- an hour delivery with an eta that was delivered or failed / delivered by its eta
  hour_counted   boolean NOT NULL,
  hour_on_time   boolean NOT NULL,
  PRIMARY KEY (order_id, fulfillment_id)
);
CREATE INDEX analytics_fulfilment_timings_location_day ON analytics_fulfilment_timings (location_id, day);
