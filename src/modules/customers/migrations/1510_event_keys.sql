-- Behaviour events are keyed by the client's event_id (unique already). The bigserial id and its
-- index cost every insert and were read only as the timeline's tie-break (now event_id); the
-- (type, occurred_at) index served no query (the timeline filters types among one customer's
-- events, through customer_events_customer). Two of four indexes fewer on the busiest table.
DROP INDEX customer_events_type_time;
ALTER TABLE customer_events DROP COLUMN id;
ALTER TABLE customer_events DROP CONSTRAINT customer_events_event_id_key, ADD CONSTRAINT customer_events_pkey PRIMARY KEY (event_id);
