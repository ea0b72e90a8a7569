-- One ID. Personal values are encrypted (AES-256-GCM) under a per-customer data key that is
-- itself wrapped by the master key; lookups use a keyed hash (blind index), never plaintext.
CREATE TABLE customers (
  id            text PRIMARY KEY,
  created_at    timestamptz NOT NULL DEFAULT now(),
  first_channel text,
  data_key      bytea,
  -- encrypted JSON of personal traits (name, birthday, ...)
  pii           bytea,
  -- non-identifying traits (city, gender, ...)
  traits        jsonb NOT NULL DEFAULT '{}',
  merged_into   text REFERENCES customers(id),
  erased_at     timestamptz
);

CREATE TABLE customer_identifiers (
  customer_id text NOT NULL REFERENCES customers(id),
  type        text NOT NULL CHECK (type IN ('phone','email','wechat_openid','wechat_unionid','device_id','member_card','pos_card','external')),
  value_hash  text NOT NULL,
  value_enc   bytea,
  masked      text NOT NULL,
  strong      boolean NOT NULL,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (type, value_hash, customer_id)
);
-- a strong identifier belongs to at most one customer
CREATE UNIQUE INDEX customer_identifiers_strong ON customer_identifiers (type, value_hash) WHERE strong;
CREATE INDEX customer_identifiers_customer ON customer_identifiers (customer_id);

CREATE TABLE customer_events (
  id           bigserial PRIMARY KEY,
  event_id     text NOT NULL UNIQUE,
  type         text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  channel      text NOT NULL,
  customer_id  text,
  anonymous_id text,
  location_id  text,
  properties   jsonb NOT NULL DEFAULT '{}',
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_events_customer ON customer_events (customer_id, occurred_at);
CREATE INDEX customer_events_type_time ON customer_events (type, occurred_at);
