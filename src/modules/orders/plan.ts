/**
 * Planning an order, without I/O: the checked input, its quote and where routing put it become
 * the rows to write and the answer (a PlannedOrder), the delivery address sealed under a new data
 * key. The order store (order-store.ts) writes them.
 */
import crypto from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Channel } from '../../platform/auth/roles';
import type { Tx } from '../../platform/db/database';
import { stockOrder } from '../../platform/db/locks';
import type { DB } from '../../platform/db/schema';
import { seal, type KeyRing } from '../../platform/crypto/keys';
import type { DomainEvent } from '../../platform/events/outbox';
import { unprocessable } from '../../platform/http/errors';
import type { KeyRow } from '../../platform/idempotency/key-store';
import { newId } from '../../platform/ids';
import type { CustomerRef } from '../customers/public';
import type { RoutingLocation, RoutingSuccess, Speed } from '../routing/policy';
import type { Quote } from '../pricing/engine';
import type { QuoteFulfilment } from '../pricing/quote';
import { spendAtPlacement, spentCoupons } from './loyalty';
import type { PaymentMethod } from './schemas';
import type { OrderDetail, PricingOut, RoutingOut } from './view';
import type { NewFulfilment, NewFulfilmentLine } from '../fulfilment/public';
import type { GroupBuyRef } from './group-buy';

export type FulfilmentInput =
  | { type: 'delivery'; lat: number; lng: number; address: string; speed: Speed }
  | { type: 'pickup'; location_id: string }
  | { type: 'in_store'; location_id: string };

export interface PlaceOrderInput {
  channel: Channel;
  customer?: CustomerRef;
  lines: { sku: string; qty: number }[];
  fulfillment: FulfilmentInput;
  coupon_codes?: string[];
  points?: number;
  referral_code?: string;
  note?: string;
  payment_method?: PaymentMethod;
  group_buy?: GroupBuyRef;
}

/** What the order keeps of its quote: the coupons applied and every adjustment. */
function pricingOf(q: Quote): PricingOut {
  return {
    coupons: q.coupons
      .filter((c) => c.applied)
      .map((c) => ({ code: c.code, template_id: c.template_id, name: c.name, kind: c.kind, discount: c.discount })),
    adjustments: q.adjustments,
  };
}

/** Where the order is served, for pricing: the delivery address or the store. */
export function quoteFulfilment(f: FulfilmentInput, locations: RoutingLocation[]): QuoteFulfilment {
  if (f.type === 'delivery') return { type: 'delivery', lat: f.lat, lng: f.lng, speed: f.speed };
  const loc = locations.find((l) => l.id === f.location_id);
  if (!loc)
    throw unprocessable('unknown_location', `location ${f.location_id} does not exist`, 'fulfillment.location_id');
  if (loc.status === 'closed')
    throw unprocessable('location_closed', `location ${f.location_id} is closed`, 'fulfillment.location_id');
  return { type: f.type, location_id: f.location_id, lat: loc.lat, lng: loc.lng };
}

/** The stock one order takes: online units are reserved, in-store units sold. */
export interface StockUnit {
  location: string;
  sku: string;
  qty: number;
}

/**
 * An order ready to be written: its rows, events and stock units and the answer, all computed
 * before any transaction, so a writer can put several orders' rows into one statement per table.
 */
export interface PlannedOrder {
  id: string;
  now: Date;
  online: boolean;
  customerId: string | null;
  /** Coupons, points or a referral to spend with the order (may fail for this order alone). */
  spends: boolean;
  /** The coupon codes it spends (locked before its stock). */
  coupons: string[];
  spend: (tx: Tx) => Promise<void>;
  /** A group-buy order's claim on its campaign's limits, in its transaction before the stock (never batched). */
  claim?: (tx: Tx) => Promise<void>;
  rows: {
    order: Insertable<DB['orders']>;
    lines: Insertable<DB['order_lines']>[];
    fulfilments: NewFulfilment[];
    fulfilmentLines: NewFulfilmentLine[];
    reservations: Insertable<DB['stock_reservations']>[];
    events: DomainEvent[];
  };
  /** Sorted with stockOrder (platform/db/locks.ts). */
  units: StockUnit[];
  detail: OrderDetail;
  /** The request's Idempotency-Key with this order as its answer, written with the order. */
  idempotencyKey?: KeyRow;
}

/** What planning needs besides the order: the shop's settings, the key ring, the routing strategy's name. */
export interface PlanSettings {
  currency: string;
  reservationTtlSeconds: number;
  keys: Pick<KeyRing, 'newDataKey'>;
  strategy: string;
}

export function planOrder(
  settings: PlanSettings,
  input: PlaceOrderInput,
  customerId: string | null,
  q: Quote,
  routed: RoutingSuccess,
  now: Date,
  /** A group-buy order's units are reserved here (the campaign's source), held without expiry until its shipment. */
  holdAt?: string,
): PlannedOrder {
  const totals = q.totals;
  const priced = q.lines;
  const f = input.fulfillment;
  const online = f.type !== 'in_store';
  const id = newId('ord', now.getTime());
  const reservedUntil = online ? new Date(now.getTime() + settings.reservationTtlSeconds * 1000) : null;
  const pickupCode = f.type === 'pickup' ? String(crypto.randomInt(0, 1_000_000)).padStart(6, '0') : null;
  const routing: RoutingOut = {
    decision: routed.decision,
    reason: routed.reason,
    reason_code: routed.reason_code,
    ...(routed.reason_params && { reason_params: routed.reason_params }),
    strategy: settings.strategy,
    candidates: routed.candidates,
  };
  let addressEnc: Buffer | null = null;
  let addressKey: Buffer | null = null;
  if (f.type === 'delivery') {
    const dek = settings.keys.newDataKey();
    addressEnc = seal(dek.plain, f.address);
    addressKey = dek.wrapped;
  }
  const status = online ? 'pending_payment' : 'completed';
  const locationId = routed.allocations.length === 1 ? routed.allocations[0].location_id : null;
  const allocations = routed.allocations.map((a) => ({ ...a, fulfillment_id: newId('ful', now.getTime()) }));
  const fulfilmentStatus = online ? 'pending' : 'completed';
  const skus = priced.map((l) => l.sku);
  const spends =
    q.coupons.some((c) => c.applied) ||
    (q.points.applied > 0 && customerId !== null) ||
    (!!input.referral_code && customerId !== null);
  const detail: OrderDetail = {
    id,
    status,
    channel: input.channel,
    customer_id: customerId,
    location_id: locationId,
    fulfillment_type: f.type,
    speed: f.type === 'delivery' ? f.speed : null,
    currency: settings.currency,
    lines: priced.map((l) => ({
      line_no: l.line_no,
      sku: l.sku,
      product_name: l.name,
      qty: l.qty,
      unit_price: l.unit_price,
      discount: l.discount,
      coupon_discount: l.coupon_discount,
      points_used: l.points_used,
      points_discount: l.points_discount,
      amount: l.amount,
      returned_qty: 0,
    })),
    totals: { ...totals, refunded: 0 },
    pricing: pricingOf(q),
    allocations: allocations.map((a) => ({
      fulfillment_id: a.fulfillment_id,
      location_id: a.location_id,
      type: f.type,
      lines: a.lines,
      speed: a.speed,
      eta: a.eta,
      status: fulfilmentStatus,
    })),
    routing,
    placed_at: now.toISOString(),
    paid_at: online ? null : now.toISOString(),
    payment_ref: null,
    payment_method: input.payment_method ?? null,
    note: input.note ?? null,
  };
  if (pickupCode) detail.pickup_code = pickupCode;
  if (reservedUntil) detail.reserved_until = reservedUntil.toISOString();
  return {
    id,
    now,
    online,
    customerId,
    spends,
    coupons: spentCoupons(q),
    spend: (tx) =>
      spendAtPlacement(
        tx,
        {
          id,
          channel: input.channel,
          customer_id: customerId,
          location_id: locationId,
          referral_code: input.referral_code,
        },
        q,
        now,
      ),
    rows: {
      order: {
        id,
        channel: input.channel,
        customer_id: customerId,
        location_id: locationId,
        fulfillment_type: f.type,
        status,
        currency: settings.currency,
        subtotal: totals.subtotal,
        discount_total: totals.discount,
        coupon_discount: totals.coupon_discount,
        points_used: totals.points_used,
        points_discount: totals.points_discount,
        pricing: JSON.stringify(pricingOf(q)),
        delivery_fee: totals.delivery_fee,
        total: totals.total,
        placed_at: now,
        paid_at: online ? null : now,
        note: input.note ?? null,
        speed: f.type === 'delivery' ? f.speed : null,
        delivery_lat: f.type === 'delivery' ? f.lat : null,
        delivery_lng: f.type === 'delivery' ? f.lng : null,
        address_enc: addressEnc,
        address_key: addressKey,
        routing: JSON.stringify(routing),
        pickup_code: pickupCode,
        reserved_until: reservedUntil,
        payment_ref: null,
        payment_method: input.payment_method ?? null,
      },
      lines: priced.map((l) => ({
        order_id: id,
        line_no: l.line_no,
        sku: l.sku,
        qty: l.qty,
        unit_price: l.unit_price,
        discount: l.discount,
        amount: l.amount,
        coupon_discount: l.coupon_discount,
        points_used: l.points_used,
        points_discount: l.points_discount,
      })),
      fulfilments: allocations.map((a) => ({
        id: a.fulfillment_id,
        order_id: id,
        location_id: a.location_id,
        type: f.type,
        speed: a.speed,
        status: fulfilmentStatus,
        eta: a.eta,
        courier: null,
        courier_job_id: null,
      })),
      fulfilmentLines: allocations.flatMap((a) =>
        a.lines.map((l) => ({ fulfillment_id: a.fulfillment_id, sku: l.sku, qty: l.qty })),
      ),
      reservations: online
        ? allocations.flatMap((a) =>
            a.lines.map((l) => ({
              order_id: id,
              fulfillment_id: a.fulfillment_id,
              location_id: holdAt ?? a.location_id,
              sku: l.sku,
              qty: l.qty,
              expires_at: holdAt ? null : reservedUntil,
              closed_at: null,
            })),
          )
        : [],
      events: [
        {
          aggregateType: 'order',
          aggregateId: id,
          type: 'order.placed',
          payload: {
            order_id: id,
            channel: input.channel,
            customer_id: customerId,
            status,
            total: totals.total,
            lines: priced.map((l) => ({ sku: l.sku, qty: l.qty, amount: l.amount })),
            allocations: allocations.map((a) => ({ location_id: a.location_id, lines: a.lines })),
            skus,
          },
        },
      ],
    },
    units: allocations
      .flatMap((a) => a.lines.map((l) => ({ location: holdAt ?? a.location_id, sku: l.sku, qty: l.qty })))
      .sort(stockOrder),
    detail,
  };
}
