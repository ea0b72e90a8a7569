-- Revenue sharing with stores (settlements): the ledger of credits and reversals, the statements'
-- periods (calendar months of the retailer's time zone, 'YYYY-MM') that were closed, and the outbox
-- events already applied. Money in fen.

-- One row per credit (an online order a store fulfilled, at its completion) or reversal (a return of
-- such an order). entry_key makes each written once: 'credit:<order id>', 'reversal:<return id>'.
-- percent_bp and basis_kind are frozen at booking (the credit's, for its reversals); lines holds the
-- credited lines with the unit cost used ([{sku, qty, net, unit_cost}], unit_cost null = no cost:
-- settled on net sales, cost_missing set). basis and amount are signed (reversals negative).
-- `at` is when it happened (completion, return); `period` the statement it is booked in: the month
-- of `at`, or the next open one when that month was already closed.
CREATE TABLE settlement_entries (
  entry_key    text PRIMARY KEY,
  period       text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
  location_id  text NOT NULL,
  order_id     text NOT NULL,
  return_id    text,
  kind         text NOT NULL CHECK (kind IN ('credit', 'reversal')),
  basis_kind   text NOT NULL CHECK (basis_kind IN ('margin', 'net_sales')),
  percent_bp   integer NOT NULL CHECK (percent_bp BETWEEN 0 AND 10000),
  basis        bigint NOT NULL,
  amount       bigint NOT NULL,
  cost_missing boolean NOT NULL DEFAULT false,
  lines        jsonb NOT NULL DEFAULT '[]',
  at           timestamptz NOT NULL,
  event_id     bigint,
  booked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX settlement_entries_period ON settlement_entries (period, location_id, at);
CREATE INDEX settlement_entries_location ON settlement_entries (location_id, at);
CREATE INDEX settlement_entries_order ON settlement_entries (order_id);

-- Closed periods: a closed statement never changes. closed_by = the API key id (or 'cli').
CREATE TABLE settlement_periods (
  period       text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
  closed_at    timestamptz NOT NULL DEFAULT now(),
  closed_by    text NOT NULL,
  closed_role  text NOT NULL,
  early        boolean NOT NULL DEFAULT false
);

-- Outbox events already applied (an event dispatched twice is booked once); pruned after 7 days.
CREATE TABLE settlement_applied_events (
  event_id   bigint PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
