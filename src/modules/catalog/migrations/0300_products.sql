CREATE TABLE products (
  sku        text PRIMARY KEY,
  name       text NOT NULL,
  category   text NOT NULL,
  -- one list price in fen for every customer and channel (no price discrimination)
  list_price bigint NOT NULL CHECK (list_price >= 0),
  channels   text[] NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category ON products (category, sku);
