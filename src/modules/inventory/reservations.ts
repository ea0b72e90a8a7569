import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { byteOrder, stockOrder } from '../../platform/db/locks';
import { consumeReserved, releaseReserved } from './service';

/**
 * An order's stock reservations after they were taken (reservingStatement takes them): paid →
 * consumed (the units are sold), cancelled or expired → released. The caller holds the order's
 * lock (rank 1); the stock rows (rank 4) are updated in stockOrder.
 *
 * A held reservation (no expiry: a group-buy order's) is not consumed by the payment: it stays until
 * the campaign's shipment moves its units (shipHeld) to the pickup point, where they are reserved
 * again (receiveHeld) and sold when the customer collects them (consumeHeldReservations).
 */

async function activeReservations(tx: Tx, orderId: string, held: boolean | null) {
  let q = tx
    .selectFrom('stock_reservations')
    .select(['location_id', 'sku', 'qty'])
    .where('order_id', '=', orderId)
    .where('status', '=', 'active');
  if (held !== null) q = q.where('expires_at', held ? 'is' : 'is not', null);
  const rows = await q.execute();
  return rows.map((r) => ({ location: r.location_id, sku: r.sku, qty: r.qty })).sort(stockOrder);
}

async function consume(tx: Tx, orderId: string, now: Date, held: boolean): Promise<void> {
  for (const r of await activeReservations(tx, orderId, held))
    await consumeReserved(tx, r.location, r.sku, r.qty, orderId);
  await tx
    .updateTable('stock_reservations')
    .set({ status: 'consumed', closed_at: now })
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .where('expires_at', held ? 'is' : 'is not', null)
    .execute();
}

/** The order is paid: its reserved units leave on hand (a `sale` movement each) and its reservations close. Held ones stay. */
export async function consumeReservations(tx: Tx, orderId: string, now: Date): Promise<void> {
  await consume(tx, orderId, now, false);
}

/** A pickup is collected: the units held for it at the store are sold (nothing for an order paid the usual way). */
export async function consumeHeldReservations(tx: Tx, orderId: string, now: Date): Promise<void> {
  await consume(tx, orderId, now, true);
}

/** The order is cancelled or expired: its reserved (or held) units are free again; returns them. */
export async function releaseReservations(
  tx: Tx,
  orderId: string,
  now: Date,
): Promise<{ location: string; sku: string; qty: number }[]> {
  const rows = await activeReservations(tx, orderId, null);
  for (const r of rows) await releaseReserved(tx, r.location, r.sku, r.qty);
  await tx
    .updateTable('stock_reservations')
    .set({ status: 'released', closed_at: now })
    .where('order_id', '=', orderId)
    .where('status', '=', 'active')
    .execute();
  return rows;
}

/** Per SKU, in byte order, the total of these lines. */
function totalsBySku(lines: readonly { sku: string; qty: number }[]): [string, number][] {
  const by = new Map<string, number>();
  for (const l of lines) by.set(l.sku, (by.get(l.sku) ?? 0) + l.qty);
  return [...by].sort(([a], [b]) => byteOrder(a, b));
}

/**
 * Ships the units held at `from` for these orders (the caller holds their locks, rank 1): per SKU
 * on hand and reserved go down with one `transfer_out` movement (ref: the shipment), and the
 * reservations close. Returns what was shipped per order and SKU.
 */
export async function shipHeld(
  tx: Tx,
  orderIds: readonly string[],
  from: string,
  ref: string,
  now: Date,
): Promise<{ order_id: string; sku: string; qty: number }[]> {
  if (orderIds.length === 0) return [];
  const held = await tx
    .selectFrom('stock_reservations')
    .select(['order_id', 'sku', 'qty'])
    .where('order_id', 'in', [...orderIds])
    .where('location_id', '=', from)
    .where('status', '=', 'active')
    .where('expires_at', 'is', null)
    .orderBy('order_id')
    .orderBy('sku')
    .execute();
  for (const [sku, qty] of totalsBySku(held)) {
    await sql`UPDATE stock SET on_hand = on_hand - ${qty}, reserved = reserved - ${qty}, updated_at = now()
      WHERE location_id = ${from} AND sku = ${sku}`.execute(tx);
    await tx
      .insertInto('stock_movements')
      .values({ location_id: from, sku, delta: -qty, reason: 'transfer_out', ref })
      .execute();
  }
  await tx
    .updateTable('stock_reservations')
    .set({ status: 'consumed', closed_at: now })
    .where('order_id', 'in', [...orderIds])
    .where('location_id', '=', from)
    .where('status', '=', 'active')
    .where('expires_at', 'is', null)
    .execute();
  return held;
}

/**
 * Receives shipped units at `at` for these orders (the caller holds their locks, rank 1): per SKU on
 * hand and reserved go up with one `transfer_in` movement (ref: the shipment), and each order's
 * units are held there for it until collected or cancelled.
 */
export async function receiveHeld(
  tx: Tx,
  at: string,
  lines: readonly { order_id: string; fulfillment_id: string; sku: string; qty: number }[],
  ref: string,
): Promise<void> {
  if (lines.length === 0) return;
  for (const [sku, qty] of totalsBySku(lines)) {
    await sql`INSERT INTO stock (location_id, sku, on_hand, reserved) VALUES (${at}, ${sku}, ${qty}, ${qty})
      ON CONFLICT (location_id, sku) DO UPDATE SET on_hand = stock.on_hand + ${qty}, reserved = stock.reserved + ${qty}, updated_at = now()`.execute(
      tx,
    );
    await tx
      .insertInto('stock_movements')
      .values({ location_id: at, sku, delta: qty, reason: 'transfer_in', ref })
      .execute();
  }
  await tx
    .insertInto('stock_reservations')
    .values(lines.map((l) => ({ ...l, location_id: at, expires_at: null, closed_at: null })))
    .execute();
}
