-- Segment rules' event leaves read the events of one type in a recent window ("viewed within 7
-- days"): an index on (type, occurred_at) reads just those, not every customer's events.
CREATE INDEX customer_events_type_time ON customer_events (type, occurred_at);
