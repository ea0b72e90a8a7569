-- One master key per database (santong keys rotate-master changes it). A single row: the master
-- key's fingerprint, recorded by the first server or command that uses a key here, and the data
-- root (wrapped by the master key) from which blind-index and idempotency keys derive.
CREATE TABLE master_key (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- HMAC-SHA256(master key, 'santong master key fingerprint v1'), hex; NULL until first recorded.
  fingerprint  text,
  wrapped_root bytea,
  -- Set while a rotation runs: the new key's fingerprint. Nothing else may start meanwhile.
  rotating_to  text,
  -- The database held data before this table existed: its data root is its first master key, so
  -- the blind indexes and keyed hashes already stored keep matching.
  legacy       boolean NOT NULL,
  recorded_at  timestamptz,
  rotated_at   timestamptz,
  CHECK ((fingerprint IS NULL) = (wrapped_root IS NULL))
);
-- Migrations applied by an earlier run (an earlier transaction) mean an existing database.
INSERT INTO master_key (legacy) SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE applied_at < now());
