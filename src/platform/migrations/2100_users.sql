-- Staff accounts (username + password) and their sign-in sessions. Passwords are stored as scrypt
-- hashes, session tokens as their SHA-256; neither is ever stored in the clear.
CREATE TABLE users (
  id                  text PRIMARY KEY,
  username            text NOT NULL,
  username_key        text NOT NULL UNIQUE,
  display_name        text NOT NULL,
  role                text NOT NULL CHECK (role IN ('admin','marketer','store_staff','support','analyst')),
  location_id         text,
  password_hash       text NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  disabled_at         timestamptz,
  failed_logins       integer NOT NULL DEFAULT 0,
  first_failed_at     timestamptz,
  locked_until        timestamptz,
  last_login_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (role <> 'store_staff' OR location_id IS NOT NULL)
);

CREATE TABLE user_sessions (
  token_hash  text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX user_sessions_user ON user_sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX user_sessions_expires ON user_sessions (expires_at);
