CREATE TABLE locations (
  id                text PRIMARY KEY,
  name              text NOT NULL,
  type              text NOT NULL CHECK (type IN ('dc','store','dark_store')),
  lat               double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng               double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  timezone          text NOT NULL DEFAULT 'Asia/Shanghai',
  address           text,
  -- {"mon":[["09:00","22:00"]], ...}; null means always open
  opening_hours     jsonb,
  can_ship          boolean NOT NULL DEFAULT false,
  can_pickup        boolean NOT NULL DEFAULT false,
  local_delivery_km double precision CHECK (local_delivery_km IS NULL OR local_delivery_km >= 0),
  created_at        timestamptz NOT NULL DEFAULT now()
);
