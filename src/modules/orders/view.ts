import type { Queryable } from '../../platform/db/database';
import { allocationsOf } from '../fulfilment/public';
import type { Candidate, ReasonCode, ReasonParams } from '../routing/policy';
import type { Adjustment, CouponKind } from '../pricing/engine';

export interface OrderLineOut {
  line_no: number;
  sku: string;
  qty: number;
  unit_price: number;
  discount: number;
  coupon_discount: number;
  points_used: number;
  points_discount: number;
  amount: number;
  returned_qty: number;
}

export interface OrderTotals {
  subtotal: number;
  discount: number;
  coupon_discount: number;
  points_discount: number;
  points_used: number;
  delivery_fee: number;
  total: number;
  refunded: number;
}

/** What an order keeps of its quote. */
export interface PricingOut {
  coupons: { code: string; template_id: string | null; name: string | null; kind: CouponKind | null; discount: number }[];
  adjustments: Adjustment[];
}

export interface AllocationOut {
  fulfillment_id: string;
  location_id: string;
  type: string;
  lines: { sku: string; qty: number }[];
  speed: string | null;
  eta: string | null;
  status: string;
}

export interface RoutingOut {
  decision: string;
  /** English; a console words `reason_code` with `reason_params` in its own language (orders placed before the codes have only the text). */
  reason: string;
  reason_code?: ReasonCode;
  reason_params?: ReasonParams;
  strategy: string;
  candidates: Candidate[];
}

export interface OrderDetail {
  id: string;
  status: string;
  channel: string;
  customer_id: string | null;
  location_id: string | null;
  fulfillment_type: string;
  speed: string | null;
  currency: string;
  lines: OrderLineOut[];
  totals: OrderTotals;
  pricing: PricingOut;
  allocations: AllocationOut[];
  routing: RoutingOut | null;
  pickup_code?: string;
  reserved_until?: string;
  placed_at: string;
  paid_at: string | null;
  payment_ref: string | null;
  note: string | null;
}

/** Reads one order with its lines, allocations and routing explanation. */
export async function readOrderDetail(db: Queryable, id: string): Promise<OrderDetail | null> {
  const o = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!o) return null;
  const [lines, fulfillments] = await Promise.all([
    db.selectFrom('order_lines').selectAll().where('order_id', '=', id).orderBy('line_no').execute(),
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
      line_no: l.line_no, sku: l.sku, qty: l.qty, unit_price: Number(l.unit_price), discount: Number(l.discount),
      coupon_discount: Number(l.coupon_discount), points_used: Number(l.points_used), points_discount: Number(l.points_discount), amount: Number(l.amount), returned_qty: l.returned_qty,
    })),
    totals: {
      subtotal: Number(o.subtotal), discount: Number(o.discount_total), coupon_discount: Number(o.coupon_discount), points_discount: Number(o.points_discount),
      points_used: Number(o.points_used), delivery_fee: Number(o.delivery_fee), total: Number(o.total), refunded: Number(o.refunded_total),
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
    note: o.note,
  };
  if (o.pickup_code) detail.pickup_code = o.pickup_code;
  if (o.reserved_until && o.status === 'pending_payment') detail.reserved_until = new Date(o.reserved_until).toISOString();
  return detail;
}
