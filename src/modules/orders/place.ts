import crypto from 'node:crypto';
import type { AppContext } from '../../platform/http/context';
import type { Channel, Principal } from '../../platform/auth/roles';
import type { Tx } from '../../platform/db/database';
import { seal } from '../../platform/crypto/keys';
import { AppError, conflict, forbidden, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { publish } from '../../platform/events/outbox';
import { resolveCustomer, type CustomerRef } from '../customers/resolve';
import { onlineAvailability, reserve, sellInStore } from '../inventory/service';
import { routingLocations } from '../locations/cache';
import { haversineKm } from '../routing/geo';
import { defaultStrategy, DEFAULT_POLICY, type FulfillmentRequest, type RoutingLocation, type RoutingResult, type RoutingSuccess, type Speed } from '../routing/policy';
import type { Quote } from '../pricing/engine';
import { productsFor, quote, refuseIssues, type QuoteFulfillment } from '../pricing/quote';
import { earnOnPayment, spendAtPlacement } from './loyalty';
import type { OrderDetail, PricingOut, RoutingOut } from './view';

export type FulfillmentInput =
  | { type: 'delivery'; lat: number; lng: number; address: string; speed: Speed }
  | { type: 'pickup'; location_id: string }
  | { type: 'in_store'; location_id: string };

export interface PlaceOrderInput {
  channel: Channel;
  customer?: CustomerRef;
  lines: { sku: string; qty: number }[];
  fulfillment: FulfillmentInput;
  coupon_codes?: string[];
  points?: number;
  referral_code?: string;
  note?: string;
}

class RaceLost extends Error {}

/** What the order keeps of its quote: the coupons applied and every adjustment. */
function pricingOf(q: Quote): PricingOut {
  return { coupons: q.coupons.filter((c) => c.applied).map((c) => ({ code: c.code, template_id: c.template_id, name: c.name, kind: c.kind, discount: c.discount })), adjustments: q.adjustments };
}

const MAX_ATTEMPTS = 4;
const NEARBY_KM = 10;

function stockLookup(map: Map<string, number>) {
  return (loc: string, sku: string) => map.get(`${loc}|${sku}`) ?? 0;
}

/** Which locations hold some online stock of each SKU, so routing skips the rest. */
function holdersOf(map: Map<string, number>) {
  const by = new Map<string, string[]>();
  for (const [key, qty] of map) {
    if (qty <= 0) continue;
    const bar = key.indexOf('|'); // location ids cannot contain '|', SKUs may
    const sku = key.slice(bar + 1);
    const list = by.get(sku) ?? [];
    list.push(key.slice(0, bar));
    by.set(sku, list);
  }
  return (sku: string) => by.get(sku) ?? [];
}

/** What else could serve a line that cannot be served as asked: nearby stores that have it, other speeds. */
function alternatives(input: PlaceOrderInput, failed: number, locations: RoutingLocation[], stock: Map<string, number>, now: Date) {
  const line = input.lines[failed];
  const f = input.fulfillment;
  const origin = f.type === 'delivery' ? { lat: f.lat, lng: f.lng } : locations.find((l) => l.id === f.location_id);
  const nearby = origin
    ? locations
        .filter((l) => l.type !== 'dc' && l.can_pickup)
        .map((l) => ({ location_id: l.id, distance_km: Math.round(haversineKm(origin.lat, origin.lng, l.lat, l.lng) * 100) / 100, online_available: Math.max(0, stock.get(`${l.id}|${line.sku}`) ?? 0) }))
        .filter((a) => a.distance_km <= NEARBY_KM && a.online_available >= line.qty && !(f.type !== 'delivery' && a.location_id === f.location_id))
        .sort((a, b) => a.distance_km - b.distance_km)
        .slice(0, 5)
    : [];
  const speeds: Speed[] = [];
  if (f.type === 'delivery') {
    for (const speed of ['hour', 'same_day', 'standard'] as Speed[]) {
      if (speed === f.speed) continue;
      const r = defaultStrategy.route({ request: { ...f, speed }, lines: input.lines, locations, stock: stockLookup(stock), now }, DEFAULT_POLICY);
      if (r.ok) speeds.push(speed);
    }
  }
  return { nearby_stores: nearby, speeds };
}

function validate(principal: Principal, input: PlaceOrderInput): void {
  if (principal.role === 'integration' && principal.channel !== input.channel) throw forbidden(`this key places orders for channel ${principal.channel} only`);
  const f = input.fulfillment;
  if (f.type === 'in_store' && input.channel !== 'pos') throw unprocessable('invalid_fulfillment', 'in_store fulfilment is only for the pos channel', 'fulfillment.type');
  if (principal.role === 'store_staff' && f.type !== 'delivery' && f.location_id !== principal.locationId) throw forbidden('store staff may only act for their own store');
  if ((input.points || input.referral_code) && !input.customer) throw unprocessable('customer_required', 'points and referral codes need a customer', input.points ? 'points' : 'referral_code');
}

/** Where the order is served, for pricing: the delivery address or the store. */
export function quoteFulfillment(f: FulfillmentInput, locations: RoutingLocation[]): QuoteFulfillment {
  if (f.type === 'delivery') return { type: 'delivery', lat: f.lat, lng: f.lng, speed: f.speed };
  const loc = locations.find((l) => l.id === f.location_id);
  if (!loc) throw unprocessable('unknown_location', `location ${f.location_id} does not exist`, 'fulfillment.location_id');
  return { type: f.type, location_id: f.location_id, lat: loc.lat, lng: loc.lng };
}

/** Places an order from any channel: prices it, routes it, reserves (online) or sells (in store) its stock. */
export async function placeOrder(ctx: AppContext, principal: Principal, input: PlaceOrderInput, now = new Date()): Promise<OrderDetail> {
  validate(principal, input);
  const db = ctx.database.db;
  const skus = input.lines.map((l) => l.sku);
  const locations = await routingLocations(db);
  const f = input.fulfillment;
  const products = await productsFor(db, input.channel, input.lines);
  const served = quoteFulfillment(f, locations);
  const customerId = input.customer ? await resolveCustomer(ctx.database, ctx.keys, input.customer, input.channel, principal) : null;
  // The one pricing engine, as POST /v1/quote shows it; anything it cannot honour refuses the order.
  const priced = await quote(db, { channel: input.channel, customerId, lines: input.lines, fulfillment: served, coupon_codes: input.coupon_codes, points: input.points }, now, products);
  refuseIssues(priced);
  const request: FulfillmentRequest = f.type === 'delivery' ? { type: 'delivery', lat: f.lat, lng: f.lng, speed: f.speed } : f;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stock = f.type === 'in_store' ? new Map<string, number>() : await onlineAvailability(db, skus);
    const routed: RoutingResult = defaultStrategy.route({ request, lines: input.lines, locations, stock: stockLookup(stock), holders: holdersOf(stock), now }, DEFAULT_POLICY);
    if (!routed.ok) {
      throw new AppError(409, 'insufficient_stock', routed.reason, `lines[${routed.line}]`, {
        sku: input.lines[routed.line].sku,
        alternatives: alternatives(input, routed.line, locations, stock, now),
        routing: { candidates: routed.candidates },
      });
    }
    try {
      return await db.transaction().execute((tx) => writeOrder(ctx, tx, input, customerId, priced, routed, now));
    } catch (e) {
      if (!(e instanceof RaceLost)) throw e;
      // Someone took the stock between routing and reserving: route again on fresh figures.
    }
  }
  throw conflict('insufficient_stock', 'stock ran out while the order was being placed', 'lines[0]', { alternatives: { nearby_stores: [], speeds: [] } });
}

async function writeOrder(ctx: AppContext, tx: Tx, input: PlaceOrderInput, customerId: string | null, q: Quote, routed: RoutingSuccess, now: Date): Promise<OrderDetail> {
  const totals = q.totals;
  const priced = q.lines;
  const f = input.fulfillment;
  const online = f.type !== 'in_store';
  const id = newId('ord', now.getTime());
  const reservedUntil = online ? new Date(now.getTime() + ctx.config.reservationTtlSeconds * 1000) : null;
  const pickupCode = f.type === 'pickup' ? String(crypto.randomInt(0, 1_000_000)).padStart(6, '0') : null;
  const routing: RoutingOut = { decision: routed.decision, reason: routed.reason, strategy: defaultStrategy.name, candidates: routed.candidates };
  let addressEnc: Buffer | null = null;
  let addressKey: Buffer | null = null;
  if (f.type === 'delivery') {
    const dek = ctx.keys.newDataKey();
    addressEnc = seal(dek.plain, f.address);
    addressKey = dek.wrapped;
  }
  const status = online ? 'pending_payment' : 'completed';
  await tx
    .insertInto('orders')
    .values({
      id,
      channel: input.channel,
      customer_id: customerId,
      location_id: routed.allocations.length === 1 ? routed.allocations[0].location_id : null,
      fulfillment_type: f.type,
      status,
      currency: ctx.config.currency,
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
    })
    .execute();
  await tx
    .insertInto('order_lines')
    .values(priced.map((l) => ({ order_id: id, line_no: l.line_no, sku: l.sku, qty: l.qty, unit_price: l.unit_price, discount: l.discount, amount: l.amount, coupon_discount: l.coupon_discount, points_used: l.points_used, points_discount: l.points_discount })))
    .execute();
  const locationId = routed.allocations.length === 1 ? routed.allocations[0].location_id : null;
  await spendAtPlacement(tx, { id, channel: input.channel, customer_id: customerId, location_id: locationId, referral_code: input.referral_code }, q, now);
  if (!online && customerId) await earnOnPayment(tx, id, now);
  const allocations = routed.allocations.map((a) => ({ ...a, fulfillment_id: newId('ful', now.getTime()) }));
  const fulfilmentStatus = online ? 'pending' : 'completed';
  await tx
    .insertInto('fulfillments')
    .values(allocations.map((a) => ({ id: a.fulfillment_id, order_id: id, location_id: a.location_id, type: f.type, speed: a.speed, status: fulfilmentStatus, eta: a.eta, courier: null, courier_job_id: null })))
    .execute();
  await tx.insertInto('fulfillment_lines').values(allocations.flatMap((a) => a.lines.map((l) => ({ fulfillment_id: a.fulfillment_id, sku: l.sku, qty: l.qty })))).execute();
  if (online) {
    await tx
      .insertInto('stock_reservations')
      .values(allocations.flatMap((a) => a.lines.map((l) => ({ order_id: id, fulfillment_id: a.fulfillment_id, location_id: a.location_id, sku: l.sku, qty: l.qty, expires_at: reservedUntil, closed_at: null }))))
      .execute();
  }
  const skus = priced.map((l) => l.sku);
  await publish(tx, {
    aggregateType: 'order',
    aggregateId: id,
    type: 'order.placed',
    payload: { order_id: id, channel: input.channel, customer_id: customerId, status, total: totals.total, lines: priced.map((l) => ({ sku: l.sku, qty: l.qty, amount: l.amount })), allocations: allocations.map((a) => ({ location_id: a.location_id, lines: a.lines })), skus },
  });
  // Stock last, in a fixed order, so the hot rows are locked for the shortest time and never in a cycle.
  const units = allocations.flatMap((a) => a.lines.map((l) => ({ location: a.location_id, ...l }))).sort((a, b) => (a.location + a.sku < b.location + b.sku ? -1 : 1));
  for (const u of units) {
    if (online) {
      if (!(await reserve(tx, u.location, u.sku, u.qty))) throw new RaceLost();
    } else await sellInStore(tx, u.location, u.sku, u.qty, id);
  }
  const detail: OrderDetail = {
    id,
    status,
    channel: input.channel,
    customer_id: customerId,
    location_id: allocations.length === 1 ? allocations[0].location_id : null,
    fulfillment_type: f.type,
    speed: f.type === 'delivery' ? f.speed : null,
    currency: ctx.config.currency,
    lines: priced.map((l) => ({ line_no: l.line_no, sku: l.sku, qty: l.qty, unit_price: l.unit_price, discount: l.discount, coupon_discount: l.coupon_discount, points_used: l.points_used, points_discount: l.points_discount, amount: l.amount, returned_qty: 0 })),
    totals: { ...totals, refunded: 0 },
    pricing: pricingOf(q),
    allocations: allocations.map((a) => ({ fulfillment_id: a.fulfillment_id, location_id: a.location_id, type: f.type, lines: a.lines, speed: a.speed, eta: a.eta, status: fulfilmentStatus })),
    routing,
    placed_at: now.toISOString(),
    paid_at: online ? null : now.toISOString(),
    payment_ref: null,
    note: input.note ?? null,
  };
  if (pickupCode) detail.pickup_code = pickupCode;
  if (reservedUntil) detail.reserved_until = reservedUntil.toISOString();
  return detail;
}
