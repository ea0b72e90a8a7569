-- Security alerts raised at most once per window per API key (e.g. security.bulk_access): the time
-- of the last alert of each kind per key, claimed with one conditional upsert so that racing
-- requests on several processes raise one alert, not many.
CREATE TABLE security_alerts (
  actor_key text NOT NULL,
  kind      text NOT NULL,
  last_at   timestamptz NOT NULL,
  PRIMARY KEY (actor_key, kind)
);
