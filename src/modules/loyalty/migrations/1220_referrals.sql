-- Referral (issue 5): one invite code per member, one referrer per new customer.
CREATE TABLE referral_codes (
  customer_id text PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE referrals (
  -- the referee's root when bound: one reward per new customer
  referee_id  text PRIMARY KEY,
  referrer_id text NOT NULL,
  code        text NOT NULL,
  bound_at    timestamptz NOT NULL,
  order_ref   text,
  rewarded_at timestamptz,
  reward      jsonb
);
CREATE INDEX referrals_referrer ON referrals (referrer_id, bound_at);
