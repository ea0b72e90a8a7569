-- Coupons (issue 5): templates, the coupons issued from them, and every redemption (kept when restored).

CREATE TABLE coupon_templates (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text,
  kind text NOT NULL CHECK (kind IN ('amount_off', 'percent_off', 'threshold', 'free_delivery', 'gift')),
  value bigint NOT NULL DEFAULT 0 CHECK (value >= 0),
  cap bigint CHECK (cap IS NULL OR cap > 0),
  min_spend bigint NOT NULL DEFAULT 0 CHECK (min_spend >= 0),
  gift_sku text REFERENCES products (sku),
  channels text[] NOT NULL,
  skus text[],
  categories text[],
  locations text[],
  valid_from timestamptz,
  valid_to timestamptz,
  valid_days_after_claim integer CHECK (valid_days_after_claim IS NULL OR valid_days_after_claim > 0),
  budget integer CHECK (budget IS NULL OR budget >= 0),
  per_customer_limit integer CHECK (per_customer_limit IS NULL OR per_customer_limit > 0),
  stackable boolean NOT NULL DEFAULT false,
  restore_on_cancel boolean NOT NULL DEFAULT true,
  issued integer NOT NULL DEFAULT 0 CHECK (issued >= 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (budget IS NULL OR issued <= budget),
  CHECK (valid_to IS NOT NULL OR valid_days_after_claim IS NOT NULL)
);

CREATE TABLE coupons (
  code text PRIMARY KEY,
  template_id text NOT NULL REFERENCES coupon_templates (id),
  customer_id text NOT NULL REFERENCES customers (id),
  status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'redeemed', 'expired', 'void')),
  via text NOT NULL,
  channel text,
  issued_at timestamptz NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_to timestamptz,
  order_ref text,
  redeemed_channel text,
  redeemed_location_id text,
  redeemed_amount bigint,
  redeemed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coupons_customer ON coupons (customer_id, status);
CREATE INDEX coupons_template ON coupons (template_id, status);
CREATE INDEX coupons_order ON coupons (order_ref) WHERE order_ref IS NOT NULL;
CREATE INDEX coupons_expiring ON coupons (valid_to) WHERE status = 'issued';

CREATE TABLE coupon_redemptions (
  id bigserial PRIMARY KEY,
  code text NOT NULL REFERENCES coupons (code),
  template_id text NOT NULL,
  order_ref text NOT NULL,
  channel text NOT NULL,
  location_id text,
  amount bigint NOT NULL,
  redeemed_at timestamptz NOT NULL,
  restored_at timestamptz
);
CREATE INDEX coupon_redemptions_order ON coupon_redemptions (order_ref);
CREATE INDEX coupon_redemptions_template ON coupon_redemptions (template_id, channel);
CREATE INDEX coupon_redemptions_code ON coupon_redemptions (code);
