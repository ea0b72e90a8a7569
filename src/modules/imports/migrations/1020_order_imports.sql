-- Order history brought in by `santong import orders` (orders.id = 'imp_' + the order number).
-- Which external order number and which run each imported order came from. A chunk's rows here
-- are written after its orders and lines: an imported order without one is the leftover of an
-- interrupted run, which the next run removes and writes again.
CREATE TABLE order_imports (
  order_id    text PRIMARY KEY REFERENCES orders(id),
  external_id text NOT NULL,
  run_id      text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
