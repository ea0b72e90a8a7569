-- RFM runs: one row per computation, its scores per customer (the root of a merged group).
CREATE TABLE rfm_runs (
  id          text PRIMARY KEY,
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running','done','failed')),
  as_of       timestamptz NOT NULL,
  -- null: all history
  window_days integer CHECK (window_days > 0),
  customers   integer,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX rfm_runs_done ON rfm_runs (finished_at DESC, id DESC) WHERE status = 'done';

-- No foreign key to rfm_runs and no index beyond the key: a run writes every customer's row in one
-- statement, and a per-row check or a second index would cost as much as the scoring.
CREATE TABLE rfm_scores (
  run_id       text NOT NULL,
  customer_id  text NOT NULL,
  recency_days integer NOT NULL,
  frequency    integer NOT NULL,
  monetary     bigint NOT NULL,
  r            smallint NOT NULL CHECK (r BETWEEN 1 AND 5),
  f            smallint NOT NULL CHECK (f BETWEEN 1 AND 5),
  m            smallint NOT NULL CHECK (m BETWEEN 1 AND 5),
  rfm          text NOT NULL,
  segment      text NOT NULL,
  PRIMARY KEY (run_id, customer_id)
);
