-- Split out of orders' 0800_fulfilment.sql (which created these tables until the modules owned
-- them): IF NOT EXISTS so that a database that applied the old 0800 skips them safely.
CREATE TABLE IF NOT EXISTS fulfillments (
  id             text PRIMARY KEY,
  order_id       text NOT NULL REFERENCES orders(id),
  location_id    text NOT NULL,
  type           text NOT NULL CHECK (type IN ('delivery','pickup','in_store')),
  speed          text,
  status         text NOT NULL,
  eta            timestamptz,
  courier        text,
  courier_job_id text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS fulfillments_order ON fulfillments (order_id);
CREATE INDEX IF NOT EXISTS fulfillments_location_status ON fulfillments (location_id, status, created_at);

CREATE TABLE IF NOT EXISTS fulfillment_lines (
  fulfillment_id text NOT NULL REFERENCES fulfillments(id),
  sku            text NOT NULL,
  qty            integer NOT NULL CHECK (qty > 0),
  PRIMARY KEY (fulfillment_id, sku)
);

CREATE TABLE IF NOT EXISTS fulfillment_events (
  id             bigserial PRIMARY KEY,
  fulfillment_id text NOT NULL REFERENCES fulfillments(id),
  type           text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  source         text NOT NULL
);
CREATE INDEX IF NOT EXISTS fulfillment_events_f ON fulfillment_events (fulfillment_id, id);
