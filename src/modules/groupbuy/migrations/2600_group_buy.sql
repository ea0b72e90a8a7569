-- Community group-buy (社区团购): leaders (团长) with a pickup point, campaigns with a channel
-- price and limits per item, the orders placed through a leader, the units each customer took of
-- an item (per-customer limits) and the consolidated shipment per campaign and pickup point.

-- A leader is a customer who runs a group and whose pickup point (a store or a partner point
-- registered as a location) hands the orders over. commission_bp: percent × 100 (e.g. 800 = 8 %).
CREATE TABLE groupbuy_leaders (
  id            text PRIMARY KEY,
  customer_id   text NOT NULL,
  location_id   text NOT NULL,
  display_name  text NOT NULL,
  commission_bp integer NOT NULL CHECK (commission_bp BETWEEN 0 AND 10000),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groupbuy_leaders_location ON groupbuy_leaders (location_id);

-- location_ids: the pickup points the campaign runs at (empty: every leader's). closed_at: when the
-- cutoff was applied (no more orders from then on); shipped_at: when its shipments were all made.
CREATE TABLE groupbuy_campaigns (
  id                 text PRIMARY KEY,
  title              text NOT NULL,
  location_ids       text[] NOT NULL DEFAULT '{}',
  opens_at           timestamptz NOT NULL,
  cutoff_at          timestamptz NOT NULL,
  pickup_date        text NOT NULL CHECK (pickup_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'), -- YYYY-MM-DD, retailer's time zone
  source_location_id text NOT NULL,
  closed_at          timestamptz,
  shipped_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (cutoff_at > opens_at)
);
CREATE INDEX groupbuy_campaigns_due ON groupbuy_campaigns (cutoff_at) WHERE shipped_at IS NULL;

-- price: the campaign's channel price in fen, the same for every member. sold: units ordered, the
-- counter total_limit is enforced on (a conditional update).
CREATE TABLE groupbuy_items (
  campaign_id        text NOT NULL,
  sku                text NOT NULL,
  price              bigint NOT NULL CHECK (price >= 0),
  total_limit        integer CHECK (total_limit > 0),
  per_customer_limit integer CHECK (per_customer_limit > 0),
  sold               integer NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, sku)
);

-- Units of an item a customer ordered in a campaign (per_customer_limit).
CREATE TABLE groupbuy_customer_units (
  campaign_id text NOT NULL,
  sku         text NOT NULL,
  customer_id text NOT NULL,
  qty         integer NOT NULL,
  PRIMARY KEY (campaign_id, sku, customer_id)
);

-- Every group-buy order: its campaign, leader and pickup point, and the leader's commission
-- percent frozen when it was placed.
CREATE TABLE groupbuy_orders (
  order_id      text PRIMARY KEY,
  campaign_id   text NOT NULL,
  leader_id     text NOT NULL,
  location_id   text NOT NULL,
  customer_id   text NOT NULL,
  commission_bp integer NOT NULL,
  placed_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groupbuy_orders_campaign ON groupbuy_orders (campaign_id, location_id);
CREATE INDEX groupbuy_orders_leader ON groupbuy_orders (leader_id);

-- The consolidated transfer of a campaign to one pickup point: shipped at the cutoff (the source's
-- on hand down), received by the store (its on hand up). Shipped and not received = in transit.
CREATE TABLE groupbuy_shipments (
  id                 text PRIMARY KEY,
  campaign_id        text NOT NULL,
  location_id        text NOT NULL,
  source_location_id text NOT NULL,
  order_ids          text[] NOT NULL,
  lines              jsonb NOT NULL,
  shipped_at         timestamptz NOT NULL DEFAULT now(),
  received_at        timestamptz,
  UNIQUE (campaign_id, location_id)
);
