CREATE TABLE orders (
  id               text PRIMARY KEY,
  channel          text NOT NULL CHECK (channel IN ('app','mini_program','web','pos','group_buy')),
  customer_id      text,
  -- the store of an in-store sale or pickup; null for routed deliveries until allocated
  location_id      text,
  fulfillment_type text NOT NULL CHECK (fulfillment_type IN ('delivery','pickup','in_store')),
  status           text NOT NULL,
  currency         text NOT NULL DEFAULT 'CNY',
  subtotal         bigint NOT NULL CHECK (subtotal >= 0),
  discount_total   bigint NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
  delivery_fee     bigint NOT NULL DEFAULT 0 CHECK (delivery_fee >= 0),
  total            bigint NOT NULL CHECK (total >= 0),
  placed_at        timestamptz NOT NULL DEFAULT now(),
  paid_at          timestamptz,
  note             text
);
CREATE INDEX orders_placed_at ON orders (placed_at);
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE INDEX orders_location ON orders (location_id, placed_at);

CREATE TABLE order_lines (
  order_id   text NOT NULL REFERENCES orders(id),
  line_no    integer NOT NULL,
  sku        text NOT NULL,
  qty        integer NOT NULL CHECK (qty > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  discount   bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
  amount     bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_sku ON order_lines (sku);
