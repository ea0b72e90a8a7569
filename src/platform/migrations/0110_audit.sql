-- Who did what to personal data, when and why: reveals, exports, erasures, merges, key changes.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_key   text,
  actor_role  text,
  action      text NOT NULL,
  subject     text,
  reason      text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_actor ON audit_log (actor_key, action, at);
