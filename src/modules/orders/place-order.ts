/**
 * Placing an order: check it, price it, route it, then write it (online orders group-committed),
 * routing again when the stock went meanwhile. plan.ts turns it into rows, order-store.ts writes them.
 */
import type { AppContext } from '../../platform/http/context';
import type { Principal } from '../../platform/auth/roles';
import { assertOwnChannel } from '../../platform/auth/channel';
import { AppError, badRequest, conflict, forbidden, unprocessable } from '../../platform/http/errors';
import { keyTakenMeanwhile, type KeyInWrite } from '../../platform/idempotency/idempotency';
import { isKeyTaken } from '../../platform/idempotency/key-store';
import { resolveCustomer } from '../customers/public';
import { onlineAvailability } from '../inventory/public';
import { routingLocations } from '../locations/public';
import { haversineKm } from '../routing/public';
import {
  DEFAULT_POLICY,
  type FulfilmentRequest,
  type RoutingLocation,
  type RoutingResult,
  type RoutingStrategy,
  type RoutingSuccess,
  type Speed,
} from '../routing/policy';
import type { ProductInfo } from '../catalog/public';
import { checkProducts, quote, refuseIssues, type QuoteFulfilment } from '../pricing/quote';
import { groupBuyTerms, type GroupBuyRef } from './group-buy';
import { checkoutReads } from './checkout-reads';
import { orderWriter } from './group-commit';
import { RaceLost, writeOrderAlone } from './order-store';
import { planOrder, quoteFulfilment, type PlaceOrderInput, type PlanSettings } from './plan';
import type { OrderDetail } from './view';

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
function alternatives(
  strategy: RoutingStrategy,
  input: PlaceOrderInput,
  failed: number,
  locations: RoutingLocation[],
  stock: Map<string, number>,
  now: Date,
) {
  const line = input.lines[failed];
  const f = input.fulfillment;
  const origin = f.type === 'delivery' ? { lat: f.lat, lng: f.lng } : locations.find((l) => l.id === f.location_id);
  const nearby = origin
    ? locations
        .filter((l) => l.type !== 'dc' && l.can_pickup)
        .map((l) => ({
          location_id: l.id,
          distance_km: Math.round(haversineKm(origin.lat, origin.lng, l.lat, l.lng) * 100) / 100,
          online_available: Math.max(0, stock.get(`${l.id}|${line.sku}`) ?? 0),
        }))
        .filter(
          (a) =>
            a.distance_km <= NEARBY_KM &&
            a.online_available >= line.qty &&
            !(f.type !== 'delivery' && a.location_id === f.location_id),
        )
        .sort((a, b) => a.distance_km - b.distance_km)
        .slice(0, 5)
    : [];
  const speeds: Speed[] = [];
  if (f.type === 'delivery') {
    for (const speed of ['hour', 'same_day', 'standard'] as Speed[]) {
      if (speed === f.speed) continue;
      const r = strategy.route(
        { request: { ...f, speed }, lines: input.lines, locations, stock: stockLookup(stock), now },
        DEFAULT_POLICY,
      );
      if (r.ok) speeds.push(speed);
    }
  }
  return { nearby_stores: nearby, speeds };
}

function validate(principal: Principal, input: PlaceOrderInput): void {
  assertOwnChannel(principal, input.channel, 'places orders');
  const f = input.fulfillment;
  if (f.type === 'in_store' && input.channel !== 'pos')
    throw unprocessable('invalid_fulfillment', 'in_store fulfilment is only for the pos channel', 'fulfillment.type');
  if (principal.role === 'store_staff' && f.type !== 'delivery' && f.location_id !== principal.locationId)
    throw forbidden('store staff may only act for their own store');
  if (input.payment_method && f.type !== 'in_store')
    throw unprocessable(
      'payment_method_not_in_store',
      'only an in-store sale is paid as it is placed; tell the payment method when the order is paid',
      'payment_method',
    );
  if (input.group_buy) {
    if (input.channel !== 'group_buy')
      throw unprocessable('group_buy_channel', 'group_buy is only for the group_buy channel', 'group_buy');
    if (!input.customer) throw unprocessable('customer_required', 'a group-buy order needs its customer', 'customer');
    if (f.type !== 'pickup')
      throw unprocessable(
        'invalid_fulfillment',
        "a group-buy order is picked up at its leader's point",
        'fulfillment.type',
      );
    const extra = input.coupon_codes?.length
      ? 'coupon_codes'
      : input.points
        ? 'points'
        : input.referral_code
          ? 'referral_code'
          : null;
    if (extra)
      throw unprocessable(
        'group_buy_channel_price',
        'the campaign price is the same for every member: no coupons, points or referral codes',
        extra,
      );
  }
  if ((input.points || input.referral_code) && !input.customer)
    throw unprocessable(
      'customer_required',
      'points and referral codes need a customer',
      input.points ? 'points' : 'referral_code',
    );
}

/**
 * Places an order from any channel: prices it, routes it, reserves (online) or sells (in store) its
 * stock. With the request's Idempotency-Key, the key and this answer are written with the order.
 */
export async function placeOrder(
  ctx: AppContext,
  principal: Principal,
  input: PlaceOrderInput,
  now = new Date(),
  idempotencyKey: KeyInWrite | null = null,
): Promise<OrderDetail> {
  validate(principal, input);
  const db = ctx.database.db;
  const skus = input.lines.map((l) => l.sku);
  const everywhere = await routingLocations(db);
  // A closed store takes no new orders (refused below, naming the field) and routing skips it.
  const locations = everywhere.filter((l) => l.status !== 'closed');
  const f = input.fulfillment;
  // Catalogue and stock in one read shared with concurrent orders; the stock is read again only
  // when a reservation finds it gone.
  const first = await checkoutReads(ctx.database, skus);
  const products = first.products;
  checkProducts(products, input.channel, input.lines);
  const served = quoteFulfilment(f, everywhere);
  const customerId = input.customer
    ? await resolveCustomer(ctx.database, ctx.keys, input.customer, input.channel, principal)
    : null;
  const { currency, reservationTtlSeconds } = ctx.config;
  const settings = { currency, reservationTtlSeconds, keys: ctx.keys, strategy: ctx.routing.name };
  if (input.group_buy && principal.dryRun) throw badRequest('the warm-up does not place group-buy orders', 'group_buy');
  if (input.group_buy)
    return placeGroupBuyOrder(
      ctx,
      settings,
      input,
      input.group_buy,
      customerId!,
      products,
      served,
      now,
      idempotencyKey,
    );
  // The one pricing engine, as POST /v1/quote shows it; anything it cannot honour refuses the order.
  const priced = await quote(
    db,
    {
      channel: input.channel,
      customerId,
      lines: input.lines,
      fulfillment: served,
      coupon_codes: input.coupon_codes,
      points: input.points,
    },
    now,
    products,
  );
  refuseIssues(priced);
  const request: FulfilmentRequest =
    f.type === 'delivery' ? { type: 'delivery', lat: f.lat, lng: f.lng, speed: f.speed } : f;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stock =
      f.type === 'in_store'
        ? new Map<string, number>()
        : attempt === 1
          ? first.stock
          : await onlineAvailability(db, skus);
    const routed: RoutingResult = ctx.routing.route(
      { request, lines: input.lines, locations, stock: stockLookup(stock), holders: holdersOf(stock), now },
      DEFAULT_POLICY,
    );
    if (!routed.ok) {
      throw new AppError(409, 'insufficient_stock', routed.reason, `lines[${routed.line}]`, {
        sku: input.lines[routed.line].sku,
        alternatives: alternatives(ctx.routing, input, routed.line, locations, stock, now),
        routing: {
          reason_code: routed.reason_code,
          ...(routed.reason_params && { reason_params: routed.reason_params }),
          candidates: routed.candidates,
        },
      });
    }
    try {
      const planned = planOrder(settings, input, customerId, priced, routed, now);
      if (principal.dryRun) return planned.detail; // the warm-up (warm-up.ts): everything but the write
      if (idempotencyKey) planned.idempotencyKey = idempotencyKey.row(201, planned.detail);
      // Online orders share transactions with concurrent ones (group commit); an in-store sale never waits for others.
      const written = planned.online
        ? await orderWriter(ctx).write(planned)
        : await writeOrderAlone(ctx.database, planned);
      idempotencyKey?.committed();
      return written;
    } catch (e) {
      // The key was stored first: the idempotency layer answers with that first answer.
      if (isKeyTaken(e)) throw keyTakenMeanwhile();
      if (!(e instanceof RaceLost)) throw e;
      // Someone took the stock between routing and reserving: route again on fresh figures.
    }
  }
  throw conflict('insufficient_stock', 'stock ran out while the order was being placed', 'lines[0]', {
    alternatives: { nearby_stores: [], speeds: [] },
  });
}

/**
 * A group-buy order (orders/group-buy.ts): the campaign's terms, its channel price, pickup at the
 * leader's point on the pickup date, units held at the campaign's source, limits claimed in the
 * order's transaction. A source short of stock is 409 naming the line; no re-routing.
 */
async function placeGroupBuyOrder(
  ctx: AppContext,
  settings: PlanSettings,
  input: PlaceOrderInput,
  ref: GroupBuyRef,
  customerId: string,
  products: Map<string, ProductInfo>,
  served: QuoteFulfilment,
  now: Date,
  idempotencyKey: KeyInWrite | null,
): Promise<OrderDetail> {
  const terms = await groupBuyTerms(ctx.database.db, ref, { customerId, lines: input.lines }, now);
  if (served.type === 'delivery' || served.location_id !== terms.pickupLocationId)
    throw unprocessable(
      'wrong_pickup_point',
      `this leader's orders are picked up at ${terms.pickupLocationId}`,
      'fulfillment.location_id',
    );
  const campaignPrices = new Map(
    [...products].map(([sku, p]) => [sku, { ...p, list_price: terms.prices.get(sku) ?? p.list_price }]),
  );
  const priced = await quote(
    ctx.database.db,
    { channel: input.channel, customerId, lines: input.lines, fulfillment: served },
    now,
    campaignPrices,
  );
  refuseIssues(priced);
  const routed: RoutingSuccess = {
    ok: true,
    decision: 'pickup',
    reason: `picked up at ${terms.pickupLocationId}`,
    reason_code: 'picked_up_at',
    reason_params: { location: terms.pickupLocationId },
    allocations: [
      {
        location_id: terms.pickupLocationId,
        lines: input.lines.map((l) => ({ sku: l.sku, qty: l.qty })),
        speed: null,
        eta: new Date(`${terms.pickupDate}T00:00:00Z`).toISOString(),
      },
    ],
    candidates: [],
  };
  const planned = planOrder(settings, input, customerId, priced, routed, now, terms.sourceLocationId);
  planned.claim = (tx) => terms.claim(tx, planned.id);
  if (idempotencyKey) planned.idempotencyKey = idempotencyKey.row(201, planned.detail);
  try {
    const written = await writeOrderAlone(ctx.database, planned);
    idempotencyKey?.committed();
    return written;
  } catch (e) {
    if (isKeyTaken(e)) throw keyTakenMeanwhile();
    if (!(e instanceof RaceLost)) throw e;
    const i = Math.max(
      0,
      input.lines.findIndex((l) => e.rows.some((r) => r.sku === l.sku)),
    );
    throw conflict('insufficient_stock', `${input.lines[i].sku} is sold out at the campaign's source`, `lines[${i}]`, {
      sku: input.lines[i].sku,
    });
  }
}
