-- Pre-sale reservations can be cancelled (issue 17): a paid deposit is refunded (`refunded`, fen)
-- unless its coupon was already spent, and the person may reserve again, so "one per person and
-- pre-sale" holds among the reservations not cancelled. Each reservation keeps the channel it was
-- made in (its customer events, which journeys read, carry it). Pre-sales due to launch are found
-- by the periodic launch task through presales_due.
ALTER TABLE presale_reservations DROP CONSTRAINT presale_reservations_status_check;
ALTER TABLE presale_reservations ADD CONSTRAINT presale_reservations_status_check
  CHECK (status IN ('pending_payment', 'reserved', 'converting', 'converted', 'cancelled'));
ALTER TABLE presale_reservations
  ADD COLUMN channel text NOT NULL DEFAULT 'pos',
  ADD COLUMN refunded bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0),
  ADD COLUMN cancelled_at timestamptz;
ALTER TABLE presale_reservations DROP CONSTRAINT presale_reservations_presale_id_customer_id_key;
CREATE UNIQUE INDEX presale_reservations_person ON presale_reservations (presale_id, customer_id)
  WHERE status <> 'cancelled';
CREATE INDEX presales_due ON presales (launch_at) WHERE status = 'open';
