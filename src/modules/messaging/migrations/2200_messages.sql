-- Marketing messages (journeys' send_message steps) and the adapters of their channels.
CREATE TABLE message_channels (
  channel       text PRIMARY KEY CHECK (channel IN ('sms','wechat','push','email')),
  adapter       text NOT NULL CHECK (adapter IN ('log','webhook')),
  url           text,
  -- the webhook secret, AES-256-GCM under a key derived from the data root (never returned)
  secret_sealed bytea,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((adapter = 'webhook') = (url IS NOT NULL AND secret_sealed IS NOT NULL))
);

CREATE TABLE messages (
  id              text PRIMARY KEY,
  -- the person (One ID root) when queued; a random substitute after an erasure
  customer_id     text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('sms','wechat','push','email')),
  text            text NOT NULL,
  journey_id      text,
  step_id         text,
  status          text NOT NULL CHECK (status IN ('queued','sent','delivered','failed','suppressed')),
  reason          text,
  -- the address it goes to, masked (138****5678); the plain address is read only for the send
  to_masked       text,
  attempts        integer NOT NULL DEFAULT 0,
  send_after      timestamptz NOT NULL,
  -- when the sender takes it up next (queued, or sent and waiting for a retry); null when done
  next_attempt_at timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  delivered_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE status IN ('queued','sent');
CREATE INDEX messages_cap ON messages (customer_id, channel, created_at);
CREATE INDEX messages_journey ON messages (journey_id, status);
CREATE INDEX messages_newest ON messages (created_at DESC, id DESC);
