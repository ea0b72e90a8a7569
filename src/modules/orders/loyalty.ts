import type { Channel } from '../../platform/auth/roles';
import type { Tx } from '../../platform/db/database';
import { lockPersons } from '../../platform/db/locks';
import { lockCoupons } from '../loyalty/coupons/locks';
import { rootOf } from '../customers/public';
import { productFacts } from '../catalog/public';
import { redeemForOrder, restoreForOrder } from '../loyalty/coupons/service';
import { earnForOrder, redeemPoints, reverseForCancel, reverseForReturn } from '../loyalty/points/service';
import { bindReferral } from '../loyalty/referrals/service';
import type { Quote } from '../pricing/engine';

/**
 * Where an order's life touches loyalty, each inside the order's own transaction: coupons and points
 * are spent with the order, points are earned when it is paid, and cancellations and returns give back.
 */

/**
 * Ranks 2 and 3 of the lock order for orders of these customers, before any stock row: their
 * persons' points locks, then the coupons they spend. A customer merged meanwhile is locked
 * again (under its new root) by the points functions themselves; transact() retries if that
 * ever closes a cycle.
 */
export async function lockCustomersAndCoupons(
  tx: Tx,
  customerIds: readonly (string | null)[],
  couponCodes: readonly string[] = [],
): Promise<void> {
  const roots: string[] = [];
  for (const id of new Set(customerIds)) if (id) roots.push((await rootOf(tx, id)) ?? id);
  await lockPersons(tx, roots);
  await lockCoupons(tx, couponCodes);
}

/** The codes a quote spends (already in canonical form). */
export function spentCoupons(q: Quote): string[] {
  return q.coupons.filter((c) => c.applied).map((c) => c.code);
}

export async function spendAtPlacement(
  tx: Tx,
  order: {
    id: string;
    channel: Channel;
    customer_id: string | null;
    location_id: string | null;
    referral_code?: string;
  },
  q: Quote,
  now: Date,
): Promise<void> {
  const uses = q.coupons
    .filter((c) => c.applied)
    .map((c) => ({ code: c.code, field: `coupon_codes[${q.coupons.indexOf(c)}]`, amount: c.discount }));
  if (uses.length)
    await redeemForOrder(tx, uses, {
      order_ref: order.id,
      channel: order.channel,
      location_id: order.location_id,
      now,
    });
  if (q.points.applied > 0 && order.customer_id)
    await redeemPoints(tx, { customer_id: order.customer_id, points: q.points.applied, order_ref: order.id, now });
  if (order.referral_code && order.customer_id)
    await bindReferral(tx, { code: order.referral_code, customer_id: order.customer_id, field: 'referral_code', now });
}

/** The order is paid (online) or sold (in store): earn points, count the spend for tiers, reward a referral. */
export async function earnOnPayment(
  tx: Tx,
  order: { id: string; customer_id: string | null; channel: string; total: number },
  now: Date,
): Promise<void> {
  if (!order.customer_id) return;
  const lines = await tx
    .selectFrom('order_lines as l')
    .innerJoin(productFacts.as('p'), 'p.sku', 'l.sku')
    .select(['l.line_no', 'l.sku', 'p.category', 'l.qty', 'l.amount'])
    .where('l.order_id', '=', order.id)
    .orderBy('l.line_no')
    .execute();
  await earnForOrder(tx, {
    customer_id: order.customer_id,
    order_ref: order.id,
    channel: order.channel as Channel,
    lines: lines.map((l) => ({ ...l, amount: Number(l.amount) })),
    total: order.total,
    now,
  });
}

/** Cancelled or expired: coupons come back where their template says so, redeemed points come back, earned points are reversed. */
export async function giveBackOnCancel(tx: Tx, orderId: string, now: Date): Promise<void> {
  await restoreForOrder(tx, orderId, now);
  await reverseForCancel(tx, { order_ref: orderId, now });
}

/** A return: points follow the returned units; a fully returned order also gets its coupons back. */
export async function giveBackOnReturn(
  tx: Tx,
  input: {
    order_ref: string;
    return_ref: string;
    refund: number;
    lines: { line_no: number; qty: number; already_returned: number; returning: number; points_used: number }[];
    fully_returned: boolean;
  },
  now: Date,
): Promise<void> {
  await reverseForReturn(tx, {
    order_ref: input.order_ref,
    return_ref: input.return_ref,
    lines: input.lines,
    refund: input.refund,
    now,
  });
  if (input.fully_returned) await restoreForOrder(tx, input.order_ref, now);
}
