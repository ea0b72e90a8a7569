-- Demand forecasts: runs, one row per series (SKU × location, and each SKU's chain total under
-- location '*') with the daily history it was fitted on and its daily forecast, and the
-- retailer-editable calendar of known events (campaigns, pre-sales, holidays such as 618 and 双11).
CREATE TABLE forecast_runs (
  id           text PRIMARY KEY,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
  -- the last local calendar day of history used; the forecast starts the day after
  history_end  date NOT NULL,
  horizon_days integer NOT NULL CHECK (horizon_days > 0),
  series       integer,
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);
CREATE INDEX forecast_runs_done ON forecast_runs (finished_at DESC, id DESC) WHERE status = 'done';

-- Written in bulk once per run (no foreign key, as clv_scores); older runs' rows go when a run is done.
CREATE TABLE forecast_series (
  run_id        text NOT NULL,
  sku           text NOT NULL,
  -- a location id, or '*' for the SKU's chain total
  location_id   text NOT NULL,
  -- the method the holdout chose: seasonal_ets, tsb, ...
  model         text NOT NULL,
  -- daily units from history_start to the run's history_end, one element a day
  history_start date NOT NULL,
  history       double precision[] NOT NULL,
  -- day h (1-based) after history_end is element h: point forecast, 80 % interval, standard deviation
  mean          double precision[] NOT NULL,
  lo            double precision[] NOT NULL,
  hi            double precision[] NOT NULL,
  sd            double precision[] NOT NULL,
  PRIMARY KEY (run_id, location_id, sku)
);

CREATE TABLE forecast_events (
  id          text PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind        text NOT NULL CHECK (kind IN ('campaign','presale','holiday')),
  starts_on   date NOT NULL,
  ends_on     date NOT NULL CHECK (ends_on >= starts_on),
  -- the expected multiple of normal daily demand on the event's days
  uplift      double precision NOT NULL CHECK (uplift > 0 AND uplift <= 100),
  -- null: every SKU / every location
  sku         text,
  location_id text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX forecast_events_days ON forecast_events (starts_on, ends_on);
