-- A store can be closed (for good or for a while): it takes no new orders and routing skips it.
ALTER TABLE locations ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed'));
