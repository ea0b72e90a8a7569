/**
 * Replenishment suggestions for one location (issue 18), a periodic-review order-up-to policy:
 * every review period the location orders what brings its stock position (on hand − reserved + in
 * transit + requested by transfers) back up to the reorder point = forecast demand over lead time + review period plus
 * safety stock z × sd (z of the service level, sd the forecast error of that sum), rounded up to
 * whole case packs. A store orders from its nearest DC (a transfer), a DC from the supplier (a
 * purchase request).
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { productCasePacks } from '../catalog/public';
import { leadTimeDemand } from '../forecasts/public';
import { stockWithTransitAt } from '../inventory/public';
import { listLocations, type Location } from '../locations/public';
import { haversineKm } from '../routing/public';
import { requestedInbound } from '../transfers/public';
import { normalQuantile } from './normal';
import { getPolicy, SUPPLIER, timesOf } from './policy';

export const REASON_CODES = ['below_reorder_point', 'covered', 'no_forecast'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Demand {
  mean: number;
  sd: number;
}

export interface Position {
  on_hand: number;
  reserved: number;
  in_transit: number;
  /** requested by transfers not yet shipped */
  on_order: number;
}

export interface Replenishment {
  /** on hand − reserved + in transit + on order */
  position: number;
  safety_stock: number;
  reorder_point: number;
  suggested_qty: number;
  reason: ReasonCode;
}

/** The policy's arithmetic for one SKU: `z` of the service level, demand over lead time + review period. */
export function replenish(stock: Position, demand: Demand | undefined, z: number, casePack: number): Replenishment {
  const position = stock.on_hand - stock.reserved + stock.in_transit + stock.on_order;
  if (!demand) return { position, safety_stock: 0, reorder_point: 0, suggested_qty: 0, reason: 'no_forecast' };
  const safety = Math.max(0, z * demand.sd);
  const reorderPoint = Math.ceil(demand.mean + safety - 1e-9);
  const short = reorderPoint - position;
  const pack = Math.max(1, casePack);
  return {
    position,
    safety_stock: Math.max(0, Math.ceil(safety - 1e-9)),
    reorder_point: reorderPoint,
    suggested_qty: short > 0 ? Math.ceil(short / pack) * pack : 0,
    reason: short > 0 ? 'below_reorder_point' : 'covered',
  };
}

/** Where a location's stock comes from: a store's nearest active DC, a DC's (or a chain without DCs) the supplier. */
export function sourceOf(location: Location, all: readonly Location[]): string {
  if (location.type === 'dc') return SUPPLIER;
  let best: { id: string; km: number } | null = null;
  for (const l of all) {
    if (l.type !== 'dc' || l.status !== 'active') continue;
    const km = haversineKm(location.lat, location.lng, l.lat, l.lng);
    if (!best || km < best.km) best = { id: l.id, km };
  }
  return best?.id ?? SUPPLIER;
}

export interface Suggestion extends Replenishment, Position {
  sku: string;
  name: string;
  case_pack: number;
  /** forecast units over lead time + review period, and the sd of that sum */
  forecast: Demand | null;
}

export interface SuggestionList {
  location_id: string;
  source_id: string;
  /** transfer: from the source DC; purchase: a purchase request to the supplier */
  action: 'transfer' | 'purchase';
  service_level: number;
  lead_time_days: number;
  review_period_days: number;
  items: Suggestion[];
}

/** Case packs and names of these SKUs. */
export async function casePacksOf(db: Queryable, skus: readonly string[]) {
  if (skus.length === 0) return new Map<string, { name: string; case_pack: number }>();
  const r = await sql<{ sku: string; name: string; case_pack: number }>`
    SELECT sku, name, case_pack FROM ${productCasePacks} p WHERE sku = ANY(${[...skus]}::text[])`.execute(db);
  return new Map(r.rows.map((x) => [x.sku, { name: x.name, case_pack: Number(x.case_pack) }]));
}

/** Every SKU stocked or forecast at a location; with `all` false only those to order, biggest first. */
export async function suggestionsFor(
  db: Queryable,
  location: Location,
  opts: { all: boolean },
): Promise<SuggestionList> {
  const policy = await getPolicy(db);
  const source = sourceOf(location, await listLocations(db));
  const times = timesOf(policy, source);
  const days = times.lead_time_days + times.review_period_days;
  const z = normalQuantile(policy.service_level);
  const [stockRows, demand, onOrder] = await Promise.all([
    sql<Omit<Position, 'on_order'> & { sku: string }>`
      SELECT sku, on_hand, reserved, in_transit FROM ${stockWithTransitAt(location.id)} s`
      .execute(db)
      .then((r) => r.rows),
    leadTimeDemand(db, { locationId: location.id, days }),
    requestedInbound(db, location.id),
  ]);
  const stock = new Map(stockRows.map((r) => [r.sku, r]));
  const skus = [...new Set([...stock.keys(), ...demand.keys(), ...onOrder.keys()])];
  const products = await casePacksOf(db, skus);
  const items: Suggestion[] = [];
  for (const sku of skus) {
    const product = products.get(sku);
    if (!product) continue; // a forecast of a product since deleted
    const s = { ...(stock.get(sku) ?? { on_hand: 0, reserved: 0, in_transit: 0 }), on_order: onOrder.get(sku) ?? 0 };
    const d = demand.get(sku);
    const r = replenish(s, d, z, product.case_pack);
    if (!opts.all && r.suggested_qty === 0) continue;
    items.push({
      sku,
      name: product.name,
      case_pack: product.case_pack,
      on_hand: s.on_hand,
      reserved: s.reserved,
      in_transit: s.in_transit,
      on_order: s.on_order,
      forecast: d ? { mean: round2(d.mean), sd: round2(d.sd) } : null,
      ...r,
    });
  }
  items.sort((a, b) => b.suggested_qty - a.suggested_qty || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  return {
    location_id: location.id,
    source_id: source,
    action: source === SUPPLIER ? 'purchase' : 'transfer',
    service_level: policy.service_level,
    lead_time_days: times.lead_time_days,
    review_period_days: times.review_period_days,
    items,
  };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
