import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { AppContext } from '../../platform/http/context';
import { stockOrder } from '../../platform/db/locks';
import { lockOrderRow } from './locks';
import { transact } from '../../platform/db/transaction';
import { conflict, forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { publish } from '../../platform/events/outbox';
import { newId } from '../../platform/ids';
import { productNames, productNamesOf } from '../catalog/public';
import { move } from '../inventory/public';
import { proportionalShare } from '../pricing/allocate';
import { giveBackOnReturn, lockCustomersAndCoupons } from './loyalty';
import type { ReturnSchema } from './schemas';

export const RETURN_WINDOW_DAYS = 7;
const RETURNABLE = new Set(['paid', 'in_fulfilment', 'ready_for_pickup', 'shipped', 'completed', 'fulfilment_failed']);

export interface ReturnInput {
  lines: { sku: string; qty: number }[];
  location_id: string;
  reason: string;
}

export type ReturnView = Static<typeof ReturnSchema>;

/**
 * A return (7-day no-reason return): restocks at the receiving location and refunds what was paid
 * for those units, discounts included, exact in fen. Never more than was bought.
 */
export async function createReturn(
  ctx: AppContext,
  principal: Principal,
  orderId: string,
  input: ReturnInput,
  now = new Date(),
): Promise<ReturnView> {
  if (principal.role === 'store_staff' && principal.locationId !== input.location_id)
    throw forbidden('store staff take returns at their own store only');
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    if (seen.has(l.sku)) throw unprocessable('duplicate_sku', `${l.sku} appears twice`, `lines[${i}].sku`);
    seen.add(l.sku);
  });
  return transact(ctx.database, async (tx) => {
    const order = await lockOrderRow(tx, orderId, ['id', 'status', 'placed_at', 'customer_id']);
    if (!order) throw notFound('order', 'id');
    await lockCustomersAndCoupons(tx, [order.customer_id]); // rank 2 right after the order (platform/db/locks.ts)
    if (!RETURNABLE.has(order.status)) throw conflict('order_not_returnable', `order is ${order.status}`, 'id');
    if (
      now.getTime() - new Date(order.placed_at).getTime() > RETURN_WINDOW_DAYS * 86400_000 &&
      principal.role !== 'admin'
    ) {
      throw unprocessable('return_window_closed', `returns are accepted within ${RETURN_WINDOW_DAYS} days`, 'id');
    }
    if (!(await ctx.locationExists(tx, input.location_id)))
      throw unprocessable('unknown_location', `location ${input.location_id} does not exist`, 'location_id');
    const bought = await tx.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).execute();
    const id = newId('ret', now.getTime());
    const lines: { sku: string; qty: number; amount: number }[] = [];
    const points: { line_no: number; qty: number; already_returned: number; returning: number; points_used: number }[] =
      [];
    for (const [i, l] of input.lines.entries()) {
      const b = bought.find((x) => x.sku === l.sku);
      if (!b) throw unprocessable('not_in_order', `${l.sku} is not in this order`, `lines[${i}].sku`);
      if (l.qty > b.qty - b.returned_qty)
        throw unprocessable(
          'return_exceeds_purchase',
          `only ${b.qty - b.returned_qty} of ${l.sku} can still be returned`,
          `lines[${i}].qty`,
        );
      // What was paid for these units, coupons and points already taken off: exact over any sequence of returns.
      lines.push({ sku: l.sku, qty: l.qty, amount: proportionalShare(Number(b.amount), b.qty, b.returned_qty, l.qty) });
      points.push({
        line_no: b.line_no,
        qty: b.qty,
        already_returned: b.returned_qty,
        returning: l.qty,
        points_used: Number(b.points_used),
      });
    }
    const refund = lines.reduce((t, l) => t + l.amount, 0);
    const fully = bought.every((b) => b.qty - b.returned_qty === (input.lines.find((l) => l.sku === b.sku)?.qty ?? 0));
    await tx
      .insertInto('order_returns')
      .values({
        id,
        order_id: orderId,
        location_id: input.location_id,
        reason: input.reason,
        refund_amount: refund,
        created_at: now,
      })
      .execute();
    await tx
      .insertInto('order_return_lines')
      .values(lines.map((l) => ({ return_id: id, ...l })))
      .execute();
    for (const l of lines) {
      await tx
        .updateTable('order_lines')
        .set((eb) => ({ returned_qty: eb('returned_qty', '+', l.qty) }))
        .where('order_id', '=', orderId)
        .where('sku', '=', l.sku)
        .execute();
    }
    await tx
      .updateTable('orders')
      .set({ refunded_total: sql`refunded_total + ${refund}`, updated_at: now })
      .where('id', '=', orderId)
      .execute();
    // Points and coupons (ranks 2, 3) before the stock (rank 4).
    await giveBackOnReturn(
      tx,
      { order_ref: orderId, return_ref: id, refund, lines: points, fully_returned: fully },
      now,
    );
    const restock = lines.map((l) => ({ location: input.location_id, sku: l.sku, qty: l.qty })).sort(stockOrder);
    for (const l of restock)
      await move(tx, { location_id: l.location, sku: l.sku, delta: l.qty, reason: 'return', ref: id });
    await publish(tx, {
      aggregateType: 'order',
      aggregateId: orderId,
      type: 'order.returned',
      payload: {
        order_id: orderId,
        return_id: id,
        location_id: input.location_id,
        refund_amount: refund,
        lines,
        skus: lines.map((l) => l.sku),
      },
    });
    const names = await productNamesOf(
      tx,
      lines.map((l) => l.sku),
    );
    return {
      id,
      order_id: orderId,
      location_id: input.location_id,
      reason: input.reason,
      refund_amount: refund,
      lines: lines.map((l) => ({ ...l, product_name: names.get(l.sku) ?? null })),
      created_at: now.toISOString(),
    };
  });
}

export async function listReturns(ctx: AppContext, orderId: string): Promise<ReturnView[]> {
  const db = ctx.database.db;
  const rets = await db
    .selectFrom('order_returns')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('created_at')
    .execute();
  const out: ReturnView[] = [];
  for (const r of rets) {
    const lines = await db
      .selectFrom('order_return_lines as l')
      .leftJoin(productNames.as('p'), 'p.sku', 'l.sku')
      .select(['l.sku', 'p.name as product_name', 'l.qty', 'l.amount'])
      .where('l.return_id', '=', r.id)
      .execute();
    out.push({
      id: r.id,
      order_id: r.order_id,
      location_id: r.location_id,
      reason: r.reason,
      refund_amount: Number(r.refund_amount),
      lines: lines.map((l) => ({ sku: l.sku, product_name: l.product_name, qty: l.qty, amount: Number(l.amount) })),
      created_at: r.created_at.toISOString(),
    });
  }
  return out;
}
