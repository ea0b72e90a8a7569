-- Points ledger (issue 5). Append-only: a row of points_entries is never updated or deleted; the
-- balance of a person is the sum of the entries of every customer id of their group.
CREATE TABLE points_entries (
  id              bigserial PRIMARY KEY,
  -- the customer's root (the group's survivor) when the entry was written
  customer_id     text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('earn','redeem','expire','reverse','adjust')),
  -- signed: earn > 0, redeem/expire < 0, reverse and adjust either way
  points          bigint NOT NULL,
  -- order, return, cancel, act:<name>, referral, adjust, expiry
  source          text NOT NULL,
  order_ref       text,
  event_ref       text,
  -- reverse entries: what they reverse ('earn' takes earned points back, 'redeem' gives spent ones back)
  reverses        text CHECK (reverses IN ('earn','redeem')),
  -- a reversal of earned points that were already spent takes only what is there; the rest is recorded here
  unrecovered     bigint NOT NULL DEFAULT 0 CHECK (unrecovered >= 0),
  reason          text,
  idempotency_key text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'earn' OR points > 0),
  CHECK (kind NOT IN ('redeem','expire') OR points < 0)
);
CREATE UNIQUE INDEX points_entries_idempotency ON points_entries (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX points_entries_customer ON points_entries (customer_id, id);
CREATE INDEX points_entries_order ON points_entries (order_ref) WHERE order_ref IS NOT NULL;

-- What earned points are left and when they expire. Every positive entry (earn, adjust +, ...)
-- opens one bucket; negative entries take from buckets first-expiring-first.
CREATE TABLE points_buckets (
  id          bigint PRIMARY KEY REFERENCES points_entries(id),
  customer_id text NOT NULL,
  points      bigint NOT NULL CHECK (points > 0),
  remaining   bigint NOT NULL CHECK (remaining >= 0 AND remaining <= points),
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX points_buckets_open ON points_buckets (customer_id, expires_at, id) WHERE remaining > 0;
CREATE INDEX points_buckets_due ON points_buckets (expires_at) WHERE remaining > 0;

-- Which buckets each negative entry took from (points > 0) and where a give-back went (points < 0),
-- so that reversals and expiry stay exact.
CREATE TABLE points_moves (
  entry_id  bigint NOT NULL REFERENCES points_entries(id),
  bucket_id bigint NOT NULL REFERENCES points_buckets(id),
  points    bigint NOT NULL CHECK (points <> 0),
  PRIMARY KEY (entry_id, bucket_id)
);
CREATE INDEX points_moves_bucket ON points_moves (bucket_id);

-- Points earned per order line, for proportional reversal on returns.
CREATE TABLE points_order_lines (
  order_ref text NOT NULL,
  line_no   integer NOT NULL,
  qty       integer NOT NULL,
  earned    bigint NOT NULL CHECK (earned >= 0),
  PRIMARY KEY (order_ref, line_no)
);
