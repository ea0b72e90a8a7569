-- Journeys' event triggers read new events of the types they listen to by received_at
-- (customers/public.ts eventsReceivedBetween), after ingest, never in its path.
CREATE INDEX customer_events_type_received ON customer_events (type, received_at);
