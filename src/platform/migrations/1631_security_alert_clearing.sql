-- Security alerts become things an admin looks at and clears: each raise gets an id, its details,
-- whether it blocks the key (bulk personal-data reads in block mode) and who cleared it when.
-- A cleared alert may be raised again at once; an open one at most once per window.
ALTER TABLE security_alerts
  ADD COLUMN id         text,
  ADD COLUMN details    jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN blocking   boolean NOT NULL DEFAULT false,
  ADD COLUMN cleared_at timestamptz,
  ADD COLUMN cleared_by text;
UPDATE security_alerts SET id = 'alr_' || md5(actor_key || ':' || kind || ':' || last_at::text);
ALTER TABLE security_alerts ALTER COLUMN id SET NOT NULL;
CREATE UNIQUE INDEX security_alerts_id ON security_alerts (id);
CREATE INDEX security_alerts_open ON security_alerts (last_at) WHERE cleared_at IS NULL;
