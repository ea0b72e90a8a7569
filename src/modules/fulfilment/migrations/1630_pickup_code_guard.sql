-- Wrong pickup codes per pickup fulfilment: 5 in a row lock the pickup for 15 minutes (no guessing
-- a 6-digit code at the counter). A row exists only once a wrong code was given; a right one deletes it.
CREATE TABLE pickup_code_guards (
  fulfillment_id text PRIMARY KEY REFERENCES fulfillments(id),
  failures       integer NOT NULL CHECK (failures >= 0),
  locked_until   timestamptz
);
