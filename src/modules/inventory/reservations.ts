import type { Tx } from '../../platform/db/database';
import { stockOrder } from '../../platform/db/locks';
import { consumeReserved, releaseReserved } from './service';

/**
 * An order's stock reservations after they were taken (reservingStatement takes them): paid →
 * consumed (the units are sold), cancelled or expired → released. The caller holds the order's
 * lock (rank 1); the stock rows (rank 4) are updated in stockOrder.
 */

async function activeReservations(tx: Tx, orderId: string) {
  const rows = await tx
    .selectFrom('stock_reservations')
    .select(['location_id', 'sku', 'qty'])
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .execute();
  return rows.map((r) => ({ location: r.location_id, sku: r.sku, qty: r.qty })).sort(stockOrder);
}

/** The order is paid: its reserved units leave on hand (a `sale` movement each) and its reservations close. */
export async function consumeReservations(tx: Tx, orderId: string, now: Date): Promise<void> {
  for (const r of await activeReservations(tx, orderId)) await consumeReserved(tx, r.location, r.sku, r.qty, orderId);
  await tx
    .updateTable('stock_reservations')
    .set({ status: 'consumed', closed_at: now })
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .execute();
}

/** The unpaid order is cancelled or expired: its reserved units are free again. */
export async function releaseReservations(tx: Tx, orderId: string, now: Date): Promise<void> {
  for (const r of await activeReservations(tx, orderId)) await releaseReserved(tx, r.location, r.sku, r.qty);
  await tx
    .updateTable('stock_reservations')
    .set({ status: 'released', closed_at: now })
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .execute();
}
