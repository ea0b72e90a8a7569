-- The runner claims due enrolments in batches of one journey standing at one step (runner.ts):
-- this index finds them in due order without reading the other steps' and journeys' due rows
-- (the claim orders by next_run_at alone, so it reads the index in order and stops at the batch).
CREATE INDEX journey_enrolments_step_due ON journey_enrolments (journey_id, position, next_run_at) WHERE state = 'active';
