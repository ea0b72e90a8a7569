-- Consent per purpose, append-only: the latest row per (customer, purpose) is in force.
CREATE TABLE customer_consents (
  id          bigserial PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers(id),
  purpose     text NOT NULL CHECK (purpose IN ('marketing_sms','marketing_wechat','marketing_push','marketing_email','personalization','analytics')),
  granted     boolean NOT NULL,
  channel     text NOT NULL,
  source      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_consents_customer ON customer_consents (customer_id, purpose, at DESC, id DESC);
