-- The services a store offers by appointment (installation, cleaning, fitting): how long one takes
-- and how many may overlap at once (technicians, chairs). PUT /v1/locations/:id/services keeps the
-- listed ones active and deactivates the rest (their appointments stay readable).
CREATE TABLE store_services (
  location_id text NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
  capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, code)
);

-- A customer's appointment for a store's service; booked → completed | cancelled.
CREATE TABLE appointments (
  id text PRIMARY KEY,
  customer_id text NOT NULL,
  location_id text NOT NULL,
  service text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('booked', 'completed', 'cancelled')),
  order_id text,
  booked_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  cancelled_at timestamptz,
  CHECK (ends_at > starts_at)
);
-- the day view and the capacity check (booked appointments of a service overlapping a time)
CREATE INDEX appointments_location_start ON appointments (location_id, starts_at);
CREATE INDEX appointments_customer ON appointments (customer_id);
-- journeys' event triggers read new bookings and completions by time
CREATE INDEX appointments_booked_at ON appointments (booked_at);
CREATE INDEX appointments_completed_at ON appointments (completed_at) WHERE completed_at IS NOT NULL;
