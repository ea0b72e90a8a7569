-- Units shipped to this location by a transfer and not yet received (issue 18): the destination's
-- row carries them, so its replenishment counts them and nobody sells them.
ALTER TABLE stock ADD COLUMN in_transit integer NOT NULL DEFAULT 0 CHECK (in_transit >= 0);
