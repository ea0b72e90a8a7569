-- Custom traits an admin declared (POST /v1/traits). `pii` traits are sealed under the person's
-- data key and masked like contact data; `plain` traits are stored in the clear and must not
-- carry contact data. Built-in traits (name, birthday, city, ...) are declared in code (traits.ts).
-- A definition is never changed or dropped: values were stored by it.
CREATE TABLE trait_definitions (
  key            text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
  classification text NOT NULL CHECK (classification IN ('pii', 'plain')),
  type           text NOT NULL DEFAULT 'string' CHECK (type IN ('string', 'number', 'boolean', 'date')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text
);
