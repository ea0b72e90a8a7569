-- The anonymous-id index keyed by value_hash alone. Keyed by (type, value_hash) with the predicate
-- type = 'anonymous_id', PostgreSQL drops the type condition as implied by the predicate and scans
-- the index from its start comparing value_hash on every entry: one lookup cost O(anonymous ids).
DROP INDEX customer_identifiers_anonymous;
CREATE UNIQUE INDEX customer_identifiers_anonymous ON customer_identifiers (value_hash) WHERE type = 'anonymous_id';
