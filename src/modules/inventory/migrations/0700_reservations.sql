-- Online orders hold stock with reservations until paid; unpaid ones expire and release it.
CREATE TABLE stock_reservations (
  id             bigserial PRIMARY KEY,
  order_id       text NOT NULL,
  fulfillment_id text NOT NULL,
  location_id    text NOT NULL,
  sku            text NOT NULL,
  qty            integer NOT NULL CHECK (qty > 0),
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active','consumed','released')),
  expires_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  closed_at      timestamptz
);
CREATE INDEX stock_reservations_order ON stock_reservations (order_id);
CREATE INDEX stock_reservations_expiry ON stock_reservations (expires_at) WHERE status = 'active';
CREATE INDEX stock_reservations_active ON stock_reservations (location_id, sku) WHERE status = 'active';

-- Low-stock protection: per SKU and region, whether online stock is below the threshold.
CREATE TABLE stock_alerts (
  sku        text NOT NULL,
  region     text NOT NULL,
  state      text NOT NULL CHECK (state IN ('low','ok')),
  available  integer NOT NULL,
  threshold  integer NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sku, region)
);

-- Promotions on a SKU in a region are paused while its stock is low (honoured by pricing).
CREATE TABLE promotion_pauses (
  sku        text NOT NULL,
  region     text NOT NULL,
  reason     text NOT NULL,
  paused_at  timestamptz NOT NULL DEFAULT now(),
  resumed_at timestamptz,
  PRIMARY KEY (sku, region, paused_at)
);
CREATE INDEX promotion_pauses_active ON promotion_pauses (sku) WHERE resumed_at IS NULL;
