/**
 * Transfer suggestions between stores (issue 18): a store that will stock out of a SKU within its
 * replenishment lead time takes it from the nearest stores (within `max_km`) that hold more than
 * `donor_cover_days` of cover. A donor gives only what online orders and its safety stock do not
 * hold, and keeps `donor_cover_days` of its own forecast demand.
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { leadTimeDemand } from '../forecasts/public';
import { stockWithTransitAt } from '../inventory/public';
import { listLocations, type Location } from '../locations/public';
import { haversineKm } from '../routing/public';
import { requestedInbound, requestedOutbound } from '../transfers/public';
import { normalQuantile } from './normal';
import { getPolicy, timesOf, type ReplenishmentPolicy } from './policy';
import { casePacksOf, round2, sourceOf, type Demand } from './suggestions';

export interface StoreSku {
  /** on hand − reserved + in transit, with requested transfers in (+) and out (−) */
  position: number;
  /** on hand − reserved − safety stock − requested out: what the store may give */
  giveable: number;
  /** forecast demand over the store's replenishment lead time */
  lead: Demand;
  /** forecast units a day (over the cover window) */
  daily: number;
}

export interface Move {
  sku: string;
  from_location_id: string;
  to_location_id: string;
  km: number;
  qty: number;
  /** the receiver's position and forecast demand over its lead time; the donor's days of cover */
  to_position: number;
  to_lead_time_demand: number;
  from_cover_days: number | null;
}

const coverDays = (s: StoreSku) => (s.daily > 0 ? s.position / s.daily : null);
/**
 * A store expecting to sell less than this within its lead time receives nothing: its empty shelf
 * is not worth a trip (the demo's slow sellers expect a few hundredths of a unit).
 */
const MIN_LEAD_DEMAND = 0.5;

/**
 * Pairs receivers with donors for one SKU: receivers by need (largest first), each from its
 * nearest donors. `stores` maps location id → its figures; `km(a, b)` the distance.
 */
export function rebalanceSku(
  sku: string,
  stores: ReadonlyMap<string, StoreSku>,
  km: (a: string, b: string) => number,
  rules: ReplenishmentPolicy['rebalance'] & { z: number },
): Move[] {
  const need = new Map<string, number>();
  const spare = new Map<string, number>();
  for (const [id, s] of stores) {
    const wanted = Math.ceil(s.lead.mean + rules.z * s.lead.sd - 1e-9) - s.position;
    if (s.position < s.lead.mean && s.lead.mean >= MIN_LEAD_DEMAND && wanted > 0) need.set(id, wanted);
    const cover = coverDays(s);
    if (s.giveable > 0 && (cover === null || cover > rules.donor_cover_days)) {
      const keep = Math.ceil(s.daily * rules.donor_cover_days);
      const give = Math.min(s.giveable, s.position - keep);
      if (give > 0) spare.set(id, give);
    }
  }
  const moves: Move[] = [];
  const receivers = [...need].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [to, wanted] of receivers) {
    let left = wanted;
    const donors = [...spare.keys()]
      .filter((from) => from !== to && km(from, to) <= rules.max_km)
      .sort((a, b) => km(a, to) - km(b, to));
    for (const from of donors) {
      if (left <= 0) break;
      const qty = Math.min(left, spare.get(from)!);
      if (qty <= 0) continue;
      spare.set(from, spare.get(from)! - qty);
      left -= qty;
      const d = stores.get(from)!;
      const r = stores.get(to)!;
      const cover = coverDays(d);
      moves.push({
        sku,
        from_location_id: from,
        to_location_id: to,
        km: round2(km(from, to)),
        qty,
        to_position: r.position,
        to_lead_time_demand: round2(r.lead.mean),
        from_cover_days: cover === null ? null : round2(cover),
      });
    }
  }
  return moves;
}

/** Every SKU's figures at one store. */
async function storeFigures(
  db: Queryable,
  store: Location,
  leadDays: number,
  coverWindow: number,
): Promise<Map<string, StoreSku>> {
  const [rows, inbound, outbound, lead, cover] = await Promise.all([
    sql<{ sku: string; on_hand: number; reserved: number; safety_stock: number; in_transit: number }>`
      SELECT sku, on_hand, reserved, safety_stock, in_transit FROM ${stockWithTransitAt(store.id)} s`
      .execute(db)
      .then((r) => r.rows),
    requestedInbound(db, store.id),
    requestedOutbound(db, store.id),
    leadTimeDemand(db, { locationId: store.id, days: leadDays }),
    leadTimeDemand(db, { locationId: store.id, days: coverWindow }),
  ]);
  const out = new Map<string, StoreSku>();
  const stock = new Map(rows.map((r) => [r.sku, r]));
  for (const sku of new Set([...stock.keys(), ...lead.keys()])) {
    const s = stock.get(sku) ?? { on_hand: 0, reserved: 0, safety_stock: 0, in_transit: 0 };
    // an accepted suggestion (a requested transfer) counts at once, so it is not suggested again
    const promised = outbound.get(sku) ?? 0;
    out.set(sku, {
      position: s.on_hand - s.reserved + s.in_transit + (inbound.get(sku) ?? 0) - promised,
      giveable: s.on_hand - s.reserved - s.safety_stock - promised,
      lead: lead.get(sku) ?? { mean: 0, sd: 0 },
      daily: (cover.get(sku)?.mean ?? 0) / coverWindow,
    });
  }
  return out;
}

/** Suggested store-to-store transfers, those to or from `locationId` when given. */
export async function transferSuggestions(db: Queryable, locationId: string | null) {
  const policy = await getPolicy(db);
  const locations = await listLocations(db);
  const stores = locations.filter((l) => l.type !== 'dc' && l.status === 'active');
  const rules = { ...policy.rebalance, z: normalQuantile(policy.service_level) };
  const perStore = new Map<string, Map<string, StoreSku>>();
  for (const store of stores) {
    const lead = timesOf(policy, sourceOf(store, locations)).lead_time_days;
    perStore.set(store.id, await storeFigures(db, store, lead, rules.donor_cover_days));
  }
  const at = new Map(stores.map((s) => [s.id, s]));
  const km = (a: string, b: string) => haversineKm(at.get(a)!.lat, at.get(a)!.lng, at.get(b)!.lat, at.get(b)!.lng);
  const skus = new Set([...perStore.values()].flatMap((m) => [...m.keys()]));
  const moves: Move[] = [];
  for (const sku of [...skus].sort()) {
    const bySku = new Map<string, StoreSku>();
    for (const [id, m] of perStore) if (m.has(sku)) bySku.set(id, m.get(sku)!);
    moves.push(...rebalanceSku(sku, bySku, km, rules));
  }
  const kept = locationId
    ? moves.filter((m) => m.from_location_id === locationId || m.to_location_id === locationId)
    : moves;
  const names = await casePacksOf(db, [...new Set(kept.map((m) => m.sku))]);
  return {
    donor_cover_days: rules.donor_cover_days,
    max_km: rules.max_km,
    items: kept.map((m) => ({ ...m, name: names.get(m.sku)?.name ?? m.sku })),
  };
}
