-- Orders' part of the fulfilment release; it keeps its id so databases that applied it skip it. The
-- fulfilment and courier tables it once also created are now their modules' (0801, 0802).
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

ALTER TABLE order_lines ADD COLUMN returned_qty integer NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD CONSTRAINT order_lines_returned_le_qty CHECK (returned_qty >= 0 AND returned_qty <= qty);
