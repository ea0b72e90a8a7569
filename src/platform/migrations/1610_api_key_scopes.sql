-- Scopes: what a key may do beyond its role. Existing keys get the defaults of src/platform/auth/scopes.ts.
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
UPDATE api_keys SET scopes = CASE
  WHEN role <> 'integration' THEN ARRAY['orders','stock','customers','events','loyalty:read','loyalty:redeem','coupons:claim','coupons:issue','points:earn','identity:trusted']
  WHEN channel IN ('app','mini_program','web') THEN ARRAY['orders','customers','events','loyalty:read','loyalty:redeem','coupons:claim','identity:trusted']
  WHEN channel = 'pos' THEN ARRAY['orders','customers','events','loyalty:read','loyalty:redeem']
  ELSE ARRAY['orders','customers','events']
END;
