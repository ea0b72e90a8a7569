-- Incremental membership upkeep (issue 13): when the stored membership was last computed over the
-- whole base (null: never; the next refresh is then a full one), and a log of computed tags'
-- membership changes, which the refresh of a rule with a `tag` leaf reads to know whom to re-check.
ALTER TABLE saved_segments ADD COLUMN full_at timestamptz;

CREATE TABLE segment_member_changes (
  segment_id  text NOT NULL REFERENCES saved_segments (id) ON DELETE CASCADE,
  customer_id text NOT NULL,
  changed_at  timestamptz NOT NULL
);
CREATE INDEX segment_member_changes_at ON segment_member_changes (segment_id, changed_at);
