-- Change feed for incremental segment membership (issue 13, customers/public.ts peopleChangedSince):
-- profiles, events and consents written after a point in time are found by index, not by a scan.
CREATE INDEX customers_updated_at ON customers (updated_at);
CREATE INDEX customers_created_at ON customers (created_at);
CREATE INDEX customer_events_received_at ON customer_events (received_at);
CREATE INDEX customer_consents_at ON customer_consents (at);
