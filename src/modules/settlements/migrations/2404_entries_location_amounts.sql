-- The revenue share of the stores over a range of days (revenueSharesBetween: the store league and
-- scorecards, issue 14) reads each entry's kind and amount by store and time: with them in the
-- index it is read from the index alone (entries are written once, never updated), not from the
-- wide rows (their credited lines). Replaces settlement_entries_location (same key).
CREATE INDEX settlement_entries_location_amounts ON settlement_entries (location_id, at) INCLUDE (kind, amount);
DROP INDEX settlement_entries_location;
