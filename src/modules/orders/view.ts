import type { Static } from '@sinclair/typebox';
import type { Principal } from '../../platform/auth/roles';
import type { Queryable } from '../../platform/db/database';
import type { OrderDetailSchema } from './schemas';
import { productNames } from '../catalog/public';
import { allocationsOf } from '../fulfilment/public';

export type OrderDetail = Static<typeof OrderDetailSchema>;
/** What an order keeps of its quote. */
export type PricingOut = OrderDetail['pricing'];
export type RoutingOut = NonNullable<OrderDetail['routing']>;

/**
 * Free text (an order's note, a return's reason) may carry what a customer wrote, personal data
 * included: only roles that may see contact data read it (not analysts, not marketers).
 */
export function mayReadFreeText(viewer: Principal): boolean {
  return viewer.role !== 'analyst' && viewer.role !== 'marketer';
}

/** Free text hidden from a viewer who may not read it: what stands in its place. */
export const HIDDEN_TEXT = '[hidden]';

/** Reads one order with its lines, allocations and routing explanation; the note as the viewer may see it. */
export async function readOrderDetail(db: Queryable, id: string, viewer?: Principal): Promise<OrderDetail | null> {
  const o = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!o) return null;
  const [lines, fulfillments] = await Promise.all([
    db
      .selectFrom('order_lines as l')
      .leftJoin(productNames.as('p'), 'p.sku', 'l.sku')
      .selectAll('l')
      .select('p.name as product_name')
      .where('l.order_id', '=', id)
      .orderBy('l.line_no')
      .execute(),
    allocationsOf(db, id),
  ]);
  const detail: OrderDetail = {
    id: o.id,
    status: o.status,
    channel: o.channel,
    customer_id: o.customer_id,
    location_id: o.location_id,
    fulfillment_type: o.fulfillment_type,
    speed: o.speed,
    currency: o.currency,
    lines: lines.map((l) => ({
      line_no: l.line_no,
      sku: l.sku,
      product_name: l.product_name,
      qty: l.qty,
      unit_price: Number(l.unit_price),
      discount: Number(l.discount),
      coupon_discount: Number(l.coupon_discount),
      points_used: Number(l.points_used),
      points_discount: Number(l.points_discount),
      amount: Number(l.amount),
      returned_qty: l.returned_qty,
    })),
    totals: {
      subtotal: Number(o.subtotal),
      discount: Number(o.discount_total),
      coupon_discount: Number(o.coupon_discount),
      points_discount: Number(o.points_discount),
      points_used: Number(o.points_used),
      delivery_fee: Number(o.delivery_fee),
      total: Number(o.total),
      refunded: Number(o.refunded_total),
    },
    pricing: (o.pricing as PricingOut | null) ?? { coupons: [], adjustments: [] },
    allocations: fulfillments.map((f) => ({
      fulfillment_id: f.id,
      location_id: f.location_id,
      type: f.type,
      lines: f.lines,
      speed: f.speed,
      eta: f.eta ? new Date(f.eta).toISOString() : null,
      status: f.status,
    })),
    routing: (o.routing as RoutingOut | null) ?? null,
    placed_at: new Date(o.placed_at).toISOString(),
    paid_at: o.paid_at ? new Date(o.paid_at).toISOString() : null,
    payment_ref: o.payment_ref,
    payment_method: o.payment_method as OrderDetail['payment_method'],
    note: viewer && !mayReadFreeText(viewer) ? null : o.note,
  };
  if (o.pickup_code) detail.pickup_code = o.pickup_code;
  if (o.reserved_until && o.status === 'pending_payment')
    detail.reserved_until = new Date(o.reserved_until).toISOString();
  return detail;
}
