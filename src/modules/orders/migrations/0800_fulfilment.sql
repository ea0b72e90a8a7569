ALTER TABLE orders
  ADD COLUMN speed          text CHECK (speed IN ('hour','same_day','standard')),
  ADD COLUMN delivery_lat   double precision,
  ADD COLUMN delivery_lng   double precision,
  -- the delivery address, sealed (AES-256-GCM) under a data key wrapped by the master key
  ADD COLUMN address_enc    bytea,
  ADD COLUMN address_key    bytea,
  ADD COLUMN routing        jsonb,
  ADD COLUMN pickup_code    text,
  ADD COLUMN reserved_until timestamptz,
  ADD COLUMN payment_ref    text,
  ADD COLUMN refunded_total bigint NOT NULL DEFAULT 0 CHECK (refunded_total >= 0),
  ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now();
CREATE INDEX orders_status ON orders (status, placed_at);

CREATE TABLE fulfillments (
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
CREATE INDEX fulfillments_order ON fulfillments (order_id);
CREATE INDEX fulfillments_location_status ON fulfillments (location_id, status, created_at);

CREATE TABLE fulfillment_lines (
  fulfillment_id text NOT NULL REFERENCES fulfillments(id),
  sku            text NOT NULL,
  qty            integer NOT NULL CHECK (qty > 0),
  PRIMARY KEY (fulfillment_id, sku)
);

CREATE TABLE fulfillment_events (
  id             bigserial PRIMARY KEY,
  fulfillment_id text NOT NULL REFERENCES fulfillments(id),
  type           text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  source         text NOT NULL
);
CREATE INDEX fulfillment_events_f ON fulfillment_events (fulfillment_id, id);

CREATE TABLE order_returns (
  id            text PRIMARY KEY,
  order_id      text NOT NULL REFERENCES orders(id),
  location_id   text NOT NULL,
  reason        text NOT NULL,
  refund_amount bigint NOT NULL CHECK (refund_amount >= 0),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_returns_order ON order_returns (order_id);

CREATE TABLE order_return_lines (
  return_id text NOT NULL REFERENCES order_returns(id),
  sku       text NOT NULL,
  qty       integer NOT NULL CHECK (qty > 0),
  amount    bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (return_id, sku)
);

-- Hour and same-day deliveries handed to a courier platform through an adapter.
CREATE TABLE courier_jobs (
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
CREATE INDEX courier_jobs_due ON courier_jobs (next_attempt_at) WHERE status = 'pending';
CREATE UNIQUE INDEX courier_jobs_fulfillment ON courier_jobs (fulfillment_id) WHERE status <> 'cancelled';

ALTER TABLE order_lines ADD COLUMN returned_qty integer NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD CONSTRAINT order_lines_returned_le_qty CHECK (returned_qty >= 0 AND returned_qty <= qty);
