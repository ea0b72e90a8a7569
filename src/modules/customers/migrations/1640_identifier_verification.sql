-- Verified identity links. How each identifier was verified: a one-time code we sent (otp), a WeChat
-- login, a member card scanned, or only stated by the customer (self_asserted). Rows written before
-- this migration stay NULL ("legacy": nobody recorded how); new rows default to self_asserted, which
-- is what event ingest and imports write.
ALTER TABLE customer_identifiers ADD COLUMN verified_by text
  CHECK (verified_by IN ('otp', 'wechat_login', 'member_card_scan', 'self_asserted'));
ALTER TABLE customer_identifiers ALTER COLUMN verified_by SET DEFAULT 'self_asserted';

-- One-time codes sent to a phone or e-mail (POST /v1/verifications). The value is kept only as its
-- blind index and the code only as a keyed hash; a code is valid 10 minutes for 5 attempts.
CREATE TABLE identity_verifications (
  id         text PRIMARY KEY,
  type       text NOT NULL CHECK (type IN ('phone', 'email')),
  value_hash text NOT NULL,
  code_hash  text NOT NULL,
  -- the API key that asked for it; only that key may use it
  key_id     text,
  attempts   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
-- the rate limit per value counts its recent codes
CREATE INDEX identity_verifications_value ON identity_verifications (type, value_hash, created_at);
