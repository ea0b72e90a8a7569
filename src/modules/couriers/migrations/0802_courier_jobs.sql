-- Split out of orders' 0800_fulfilment.sql (which created these tables until the modules owned
-- them): IF NOT EXISTS so that a database that applied the old 0800 skips them safely.
-- Hour and same-day deliveries handed to a courier platform through an adapter.
CREATE TABLE IF NOT EXISTS courier_jobs (
  id              text PRIMARY KEY,
  fulfillment_id  text NOT NULL REFERENCES fulfillments(id),
  adapter         text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','accepted','picked_up','delivered','failed','cancelled')),
  external_id     text,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS courier_jobs_due ON courier_jobs (next_attempt_at) WHERE status = 'pending';
CREATE UNIQUE INDEX IF NOT EXISTS courier_jobs_fulfillment ON courier_jobs (fulfillment_id) WHERE status <> 'cancelled';
