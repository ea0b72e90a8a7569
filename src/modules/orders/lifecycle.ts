import { sql } from 'kysely';
import type { AppContext } from '../../platform/http/context';
import type { Tx } from '../../platform/db/database';
import { stockOrder } from '../../platform/db/locks';
import { lockOrderRow } from './locks';
import { transact } from '../../platform/db/transaction';
import { conflict, notFound } from '../../platform/http/errors';
import { publish } from '../../platform/events/outbox';
import { cancelCourierJobs, queueCourierJobs } from '../couriers/jobs';
import { allocationsOf, setCourier, setFulfilmentsStatus } from '../fulfilment/public';
import { consumeReservations, releaseReservations } from '../inventory/reservations';
import { move } from '../inventory/public';
import { releaseGroupBuyClaim } from './group-buy';
import { earnOnPayment, giveBackOnCancel, lockCustomersAndCoupons } from './loyalty';
import type { PaymentMethod } from './schemas';
import { readOrderDetail, type OrderDetail } from './view';

type OrderRow = {
  id: string;
  status: string;
  reserved_until: Date | null;
  payment_ref: string | null;
  total: string;
  speed: string | null;
  fulfillment_type: string;
  customer_id: string | null;
  channel: string;
};

/**
 * The order row, then its customer's person (ranks 1 and 2 of the lock order, platform/db/locks.ts):
 * whatever follows (coupons given back, stock moved, points earned) may then take ranks 3 and 4.
 */
async function lockOrder(tx: Tx, id: string): Promise<OrderRow> {
  const o = await lockOrderRow(tx, id, [
    'id',
    'status',
    'reserved_until',
    'payment_ref',
    'total',
    'speed',
    'fulfillment_type',
    'customer_id',
    'channel',
  ]);
  if (!o) throw notFound('order', 'id');
  await lockCustomersAndCoupons(tx, [o.customer_id]);
  return { ...o, reserved_until: o.reserved_until ? new Date(o.reserved_until) : null };
}

async function skusOf(tx: Tx, orderId: string): Promise<string[]> {
  return (await tx.selectFrom('order_lines').select('sku').where('order_id', '=', orderId).execute()).map((r) => r.sku);
}

/** Releases an unpaid order's reservations and closes it as expired or cancelled. */
async function releaseOrder(tx: Tx, o: OrderRow, status: 'expired' | 'cancelled'): Promise<void> {
  const orderId = o.id;
  await giveBackOnCancel(tx, orderId, new Date());
  await releaseGroupBuyClaim(tx, o);
  await releaseReservations(tx, orderId, new Date());
  await tx.updateTable('orders').set({ status, updated_at: new Date() }).where('id', '=', orderId).execute();
  await setFulfilmentsStatus(tx, orderId, 'cancelled', new Date());
}

/** Confirms payment: reserved stock becomes sold; hour and same-day deliveries go to the courier. */
export async function payOrder(
  ctx: AppContext,
  id: string,
  paymentRef: string,
  paymentMethod: PaymentMethod | null = null,
  now = new Date(),
): Promise<OrderDetail> {
  const expired = await transact(ctx.database, async (tx) => {
    const o = await lockOrder(tx, id);
    if (o.status !== 'pending_payment') {
      if (o.payment_ref === paymentRef) return false; // the same payment confirmed twice
      throw conflict('order_not_payable', `order is ${o.status}`, 'id');
    }
    if (o.reserved_until && o.reserved_until.getTime() < now.getTime()) {
      await releaseOrder(tx, o, 'expired');
      await publish(tx, {
        aggregateType: 'order',
        aggregateId: id,
        type: 'order.expired',
        payload: { order_id: id, skus: await skusOf(tx, id) },
      });
      return true;
    }
    await consumeReservations(tx, id, now);
    await tx
      .updateTable('orders')
      .set({ status: 'paid', paid_at: now, payment_ref: paymentRef, payment_method: paymentMethod, updated_at: now })
      .where('id', '=', id)
      .execute();
    const fulfilments = await setFulfilmentsStatus(tx, id, 'allocated', now);
    const courier = ctx.courier;
    if (courier) {
      const couriered = fulfilments
        .filter((x) => x.type === 'delivery' && (x.speed === 'hour' || x.speed === 'same_day'))
        .map((f) => f.id);
      await queueCourierJobs(tx, courier.name, couriered, now);
      await setCourier(tx, couriered, courier.name);
    }
    await earnOnPayment(tx, { id, customer_id: o.customer_id, channel: o.channel, total: Number(o.total) }, now);
    await publish(tx, {
      aggregateType: 'order',
      aggregateId: id,
      type: 'order.paid',
      payload: { order_id: id, payment_ref: paymentRef, payment_method: paymentMethod, total: Number(o.total) },
    });
    return false;
  });
  if (expired) throw conflict('order_expired', 'the reservation expired before payment; the stock was released', 'id');
  return (await readOrderDetail(ctx.database.db, id))!;
}

const CANCELLABLE_AFTER_PAYMENT = new Set(['pending', 'allocated', 'picked', 'packed', 'ready_for_pickup']);

/**
 * Cancels an order: unpaid → reservations released; paid but not yet handed over → stock put back.
 * onlyIfUnpaid (a group-buy campaign's cutoff): an order paid, cancelled or expired meanwhile is left as it is.
 */
export async function cancelOrder(
  ctx: AppContext,
  id: string,
  reason: string | undefined,
  opts: { onlyIfUnpaid?: boolean } = {},
): Promise<OrderDetail> {
  await transact(ctx.database, async (tx) => {
    const o = await lockOrder(tx, id);
    if (opts.onlyIfUnpaid && o.status !== 'pending_payment') return;
    const skus = await skusOf(tx, id);
    if (o.status === 'pending_payment') {
      await releaseOrder(tx, o, 'cancelled');
    } else if (o.status === 'paid' || o.status === 'in_fulfilment' || o.status === 'ready_for_pickup') {
      const fulfilments = await allocationsOf(tx, id);
      const blocked = fulfilments.find((f) => !CANCELLABLE_AFTER_PAYMENT.has(f.status));
      if (blocked)
        throw conflict('order_not_cancellable', `fulfilment ${blocked.id} is ${blocked.status}; use a return`, 'id');
      const sorted = fulfilments
        .flatMap((f) => f.lines.map((l) => ({ ...l, location: f.location_id })))
        .sort(stockOrder);
      // Coupons and points first (rank 2, 3), the campaign's limits (3b), then the stock (rank 4).
      await giveBackOnCancel(tx, id, new Date());
      await releaseGroupBuyClaim(tx, o);
      // Units already returned were restocked by the return, and units still held for the order (a
      // group-buy order's, at its source or its pickup point) are simply released: put back only the rest.
      const returned = new Map(
        (await tx.selectFrom('order_lines').select(['sku', 'returned_qty']).where('order_id', '=', id).execute()).map(
          (r) => [r.sku, r.returned_qty],
        ),
      );
      for (const h of await releaseReservations(tx, id, new Date()))
        returned.set(h.sku, (returned.get(h.sku) ?? 0) + h.qty);
      for (const l of sorted) {
        const already = Math.min(l.qty, returned.get(l.sku) ?? 0);
        returned.set(l.sku, (returned.get(l.sku) ?? 0) - already);
        if (l.qty > already)
          await move(tx, {
            location_id: l.location,
            sku: l.sku,
            delta: l.qty - already,
            reason: 'cancel_restock',
            ref: id,
          });
      }
      await tx
        .updateTable('orders')
        .set({ status: 'cancelled', refunded_total: sql`total`, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
      await setFulfilmentsStatus(tx, id, 'cancelled', new Date());
      await cancelCourierJobs(
        tx,
        fulfilments.map((f) => f.id),
        new Date(),
      );
    } else {
      throw conflict('order_not_cancellable', `order is ${o.status}`, 'id');
    }
    await publish(tx, {
      aggregateType: 'order',
      aggregateId: id,
      type: 'order.cancelled',
      payload: { order_id: id, reason: reason ?? null, previous_status: o.status, skus },
    });
  });
  return (await readOrderDetail(ctx.database.db, id))!;
}

/** Expires unpaid orders whose reservation time is up; returns how many. Safe from several processes. */
export async function expireDue(ctx: AppContext, now = new Date(), batch = 100): Promise<number> {
  const due = await ctx.database.db
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'pending_payment')
    .where('reserved_until', '<', now)
    .orderBy('reserved_until')
    .limit(batch)
    .execute();
  let n = 0;
  for (const { id } of due) {
    const expired = await transact(ctx.database, async (tx) => {
      const o = await lockOrder(tx, id);
      if (o.status !== 'pending_payment' || !o.reserved_until || o.reserved_until >= now) return false;
      await releaseOrder(tx, o, 'expired');
      await publish(tx, {
        aggregateType: 'order',
        aggregateId: id,
        type: 'order.expired',
        payload: { order_id: id, skus: await skusOf(tx, id) },
      });
      return true;
    });
    if (expired) n++;
  }
  return n;
}
