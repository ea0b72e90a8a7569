-- Transfers (调拨) between locations (issue 18): requested → shipped → received, or cancelled
-- while requested. The stock side is inventory's (stock movements, in transit).
CREATE TABLE transfers (
  id               text PRIMARY KEY,
  from_location_id text NOT NULL REFERENCES locations(id),
  to_location_id   text NOT NULL REFERENCES locations(id),
  status           text NOT NULL DEFAULT 'requested'
                   CHECK (status IN ('requested', 'shipped', 'received', 'cancelled')),
  -- what asked for it: a person (manual), a replenishment or transfer suggestion, a campaign stock-up
  origin           text NOT NULL DEFAULT 'manual'
                   CHECK (origin IN ('manual', 'replenishment', 'rebalance', 'campaign')),
  note             text,
  requested_at     timestamptz NOT NULL DEFAULT now(),
  shipped_at       timestamptz,
  received_at      timestamptz,
  cancelled_at     timestamptz,
  CHECK (from_location_id <> to_location_id)
);
CREATE INDEX transfers_status ON transfers (status, requested_at DESC, id DESC);
CREATE INDEX transfers_from ON transfers (from_location_id, requested_at DESC);
CREATE INDEX transfers_to ON transfers (to_location_id, requested_at DESC);

CREATE TABLE transfer_lines (
  transfer_id text NOT NULL REFERENCES transfers(id),
  sku         text NOT NULL REFERENCES products(sku),
  qty         integer NOT NULL CHECK (qty > 0),
  PRIMARY KEY (transfer_id, sku)
);
