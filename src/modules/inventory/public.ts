import { sql } from 'kysely';

/** What other modules may know of the stock pool beyond the service functions: these fragments, never the tables. */

/**
 * The stock of every SKU at every location now: on hand, reserved, safety stock and what online
 * orders may still take (`online_available = max(0, on_hand − reserved − safety_stock)`, as the
 * reservation statement computes it). A FROM-clause fragment: `FROM ${stockLevels} s`.
 */
export const stockLevels = sql<{
  location_id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  online_available: number;
}>`(SELECT location_id, sku, on_hand, reserved, safety_stock,
           greatest(0, on_hand - reserved - safety_stock) AS online_available FROM stock)`;

export { receiveTransferStock, shipTransferStock } from './transfer-stock';
export type { TransferLine } from './transfer-stock';

/**
 * Stock of one location with what is in transit to it: `(sku, on_hand, reserved, safety_stock,
 * in_transit)` rows. A FROM-clause fragment.
 */
export const stockWithTransitAt = (locationId: string) =>
  sql<{ sku: string; on_hand: number; reserved: number; safety_stock: number; in_transit: number }>`(
    SELECT sku, on_hand, reserved, safety_stock, in_transit FROM stock WHERE location_id = ${locationId})`;
/** Held reservations (a group-buy order's units from its campaign's source to its pickup point): inventory/reservations.ts. */
export { consumeHeldReservations, receiveHeld, shipHeld } from './reservations';

export {
  availabilityFromJson,
  availabilityJson,
  move,
  onlineAvailability,
  reservingStatement,
  sellInStore,
  shortRows,
} from './service';
