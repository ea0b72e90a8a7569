CREATE TABLE stock (
  location_id  text NOT NULL REFERENCES locations(id),
  sku          text NOT NULL REFERENCES products(sku),
  on_hand      integer NOT NULL,
  reserved     integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  safety_stock integer NOT NULL DEFAULT 0 CHECK (safety_stock >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, sku)
);
CREATE INDEX stock_sku ON stock (sku);

CREATE TABLE stock_movements (
  id          bigserial PRIMARY KEY,
  location_id text NOT NULL,
  sku         text NOT NULL,
  delta       integer NOT NULL,
  reason      text NOT NULL,
  ref         text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_loc_sku ON stock_movements (location_id, sku, id);
