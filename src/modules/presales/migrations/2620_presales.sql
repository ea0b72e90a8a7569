-- Pre-sale reservations (新品预约, issue 17): a product announced before its launch, and the
-- customers who reserved it at a store. One reservation per person and pre-sale (idempotent per
-- customer). A deposit (fen) is paid like an order and comes back at launch as a coupon of that
-- amount for the SKU at the reservation's store, which the conversion into an order redeems.
CREATE TABLE presales (
  id                 text PRIMARY KEY,
  sku                text NOT NULL,
  title              text NOT NULL,
  launch_at          timestamptz NOT NULL,
  deposit            bigint NOT NULL DEFAULT 0 CHECK (deposit >= 0),
  per_customer_limit integer NOT NULL CHECK (per_customer_limit >= 1),
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'launched')),
  -- the deposit's coupon template (amount_off = deposit, this SKU, in store); null without a deposit
  coupon_template_id text,
  launched_at        timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX presales_created ON presales (created_at DESC, id);

CREATE TABLE presale_reservations (
  id             text PRIMARY KEY,
  presale_id     text NOT NULL REFERENCES presales (id),
  -- the person (group root) who reserved
  customer_id    text NOT NULL,
  location_id    text NOT NULL,
  qty            integer NOT NULL CHECK (qty >= 1),
  deposit        bigint NOT NULL DEFAULT 0 CHECK (deposit >= 0),
  status         text NOT NULL CHECK (status IN ('pending_payment', 'reserved', 'converting', 'converted')),
  payment_ref    text,
  payment_method text,
  paid_at        timestamptz,
  -- the deposit coupon issued at payment, redeemed by the conversion's order
  coupon_code    text,
  order_id       text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (presale_id, customer_id)
);
CREATE INDEX presale_reservations_location ON presale_reservations (location_id, presale_id, created_at);
