-- Lifetime-value runs: BG/NBD and Gamma-Gamma fitted on the retailer's history up to a calibration
-- end, and every customer's (the root of a merged group) predictions of that run.
CREATE TABLE clv_runs (
  id              text PRIMARY KEY,
  status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
  -- the last calendar day (retailer's time zone) of the calibration period, inclusive
  calibration_end date NOT NULL,
  horizon_days    integer NOT NULL CHECK (horizon_days > 0),
  time_unit       text NOT NULL DEFAULT 'week' CHECK (time_unit IN ('week','day')),
  customers       integer,
  -- BG/NBD parameters and the maximised log-likelihood, once done
  r               double precision,
  alpha           double precision,
  a               double precision,
  b               double precision,
  log_likelihood  double precision,
  -- Gamma-Gamma parameters, fitted on amounts in yuan
  p               double precision,
  q               double precision,
  v               double precision,
  -- why a run failed (no personal data)
  error           text,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
CREATE INDEX clv_runs_done ON clv_runs (finished_at DESC, id DESC) WHERE status = 'done';

-- As rfm_scores: no foreign key, written in bulk once per run; older runs' rows go when a run is done.
CREATE TABLE clv_scores (
  run_id             text NOT NULL,
  customer_id        text NOT NULL,
  -- x: repeat purchase days; t_x and T in weeks
  frequency          integer NOT NULL,
  recency            double precision NOT NULL,
  t                  double precision NOT NULL,
  p_alive            double precision NOT NULL CHECK (p_alive >= 0 AND p_alive <= 1),
  expected_orders    double precision NOT NULL,
  expected_avg_value bigint NOT NULL,
  expected_value     bigint NOT NULL,
  PRIMARY KEY (run_id, customer_id)
);
-- GET /v1/clv/customers pages by expected value, highest first
CREATE INDEX clv_scores_value ON clv_scores (run_id, expected_value DESC, customer_id);
