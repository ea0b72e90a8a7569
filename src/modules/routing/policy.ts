import type { OpeningHours } from '../locations/service';
import { haversineKm, isOpen } from './geo';
import {
  because,
  whyNot,
  type Reason,
  type ReasonCode,
  type ReasonParams,
  type WhyNot,
  type WhyNotCode,
} from './reasons';

export type { ReasonCode, ReasonParams, WhyNotCode } from './reasons';

export type Speed = 'hour' | 'same_day' | 'standard';

export interface RoutingLocation {
  id: string;
  type: 'dc' | 'store' | 'dark_store';
  lat: number;
  lng: number;
  timezone: string;
  opening_hours: OpeningHours | null;
  can_ship: boolean;
  can_pickup: boolean;
  local_delivery_km: number | null;
  /** closed: takes no new orders, routing skips it (absent means active). */
  status?: 'active' | 'closed';
}

export type FulfilmentRequest =
  | { type: 'delivery'; lat: number; lng: number; speed: Speed }
  | { type: 'pickup'; location_id: string }
  | { type: 'in_store'; location_id: string };

export interface RoutingLine {
  sku: string;
  qty: number;
}

/** Online-available units of a SKU at a location (0 when unknown). */
export type StockLookup = (locationId: string, sku: string) => number;

export interface Candidate {
  location_id: string;
  distance_km: number | null;
  can_fulfil: boolean;
  /** English; `why_not_code` and `why_not_params` let a console word it in its own language (see reasons.ts). */
  why_not?: string;
  why_not_code?: WhyNotCode;
  why_not_params?: ReasonParams;
}

export interface Allocation {
  location_id: string;
  lines: RoutingLine[];
  speed: Speed | null;
  eta: string;
}

export interface RoutingSuccess {
  ok: true;
  decision: 'in_store' | 'pickup' | 'single' | 'split';
  /** English; `reason_code` and `reason_params` let a console word it in its own language (see reasons.ts). */
  reason: string;
  reason_code: ReasonCode;
  reason_params?: ReasonParams;
  allocations: Allocation[];
  candidates: Candidate[];
}

export interface RoutingFailure {
  ok: false;
  /** Index of the first line that cannot be served. */
  line: number;
  reason: string;
  reason_code: ReasonCode;
  reason_params?: ReasonParams;
  candidates: Candidate[];
}

export type RoutingResult = RoutingSuccess | RoutingFailure;

export interface RoutingPolicy {
  /** Radius for same-day delivery from stores and dark stores. */
  sameDayRadiusKm: number;
  /** Prefer the DC for standard parcels when it has everything. */
  preferDcForStandard: boolean;
  /** Most locations one order may be split across. */
  maxSplit: number;
  /** How many candidates (nearest first) an explanation lists. */
  explainTop: number;
}

export const DEFAULT_POLICY: RoutingPolicy = {
  sameDayRadiusKm: 50,
  preferDcForStandard: true,
  maxSplit: 4,
  explainTop: 12,
};

export interface RoutingInput {
  request: FulfilmentRequest;
  lines: RoutingLine[];
  locations: RoutingLocation[];
  stock: StockLookup;
  /** Optional: the locations holding some stock of a SKU, so routing need not look at the others. */
  holders?: (sku: string) => Iterable<string>;
  now: Date;
}

declare module '../../platform/http/context' {
  interface AppContext {
    /** How orders are routed: defaultStrategy unless the server was started with another. */
    routing: RoutingStrategy;
  }
}

/** A routing strategy: the default below, or a retailer's own. */
export interface RoutingStrategy {
  name: string;
  route(input: RoutingInput, policy: RoutingPolicy): RoutingResult;
}

const MINUTE = 60_000;

function eta(now: Date, loc: RoutingLocation, speed: Speed | null, type: FulfilmentRequest['type']): string {
  if (type === 'in_store') return now.toISOString();
  if (type === 'pickup') return new Date(now.getTime() + 120 * MINUTE).toISOString();
  if (speed === 'hour') return new Date(now.getTime() + 60 * MINUTE).toISOString();
  if (speed === 'same_day') return new Date(now.getTime() + 6 * 60 * MINUTE).toISOString();
  return new Date(now.getTime() + (loc.type === 'dc' ? 2 : 3) * 24 * 60 * MINUTE).toISOString();
}

function round(km: number): number {
  return Math.round(km * 100) / 100;
}

/** First line a location cannot serve in full, with the units it has. */
function shortfall(loc: string, lines: RoutingLine[], stock: StockLookup): { index: number; has: number } | null {
  for (let i = 0; i < lines.length; i++) {
    const has = stock(loc, lines[i].sku);
    if (has < lines[i].qty) return { index: i, has };
  }
  return null;
}

function missing(lines: RoutingLine[], s: { index: number; has: number }): { sku: string; has: number; qty: number } {
  return { sku: lines[s.index].sku, has: Math.max(0, s.has), qty: lines[s.index].qty };
}

/** The n nearest, in order, by one pass with a small sorted buffer. */
function nearestFirst(scored: Scored[], n: number): Scored[] {
  const top: Scored[] = [];
  for (const s of scored) {
    if (top.length === n && s.km >= top[n - 1].km) continue;
    let i = top.length === n ? n - 1 : top.length;
    if (top.length < n) top.push(s);
    while (i > 0 && top[i - 1].km > s.km) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = s;
  }
  return top;
}

/** Why a location cannot serve the speed at all, as a code: the text (and its distances) is written only for the candidates shown. */
type Unfit =
  | 'no_local_delivery'
  | 'out_of_delivery_range'
  | 'closed_now'
  | 'dc_no_same_day'
  | 'does_not_ship'
  | 'beyond_same_day_radius'
  | 'does_not_ship_parcels';

interface Scored {
  loc: RoutingLocation;
  km: number;
  why: Unfit | null;
}

/** The default policy of the goods issue: pickup/in-store → that store; hour → nearest covering open store; else one location, else the fewest. */
export const defaultStrategy: RoutingStrategy = {
  name: 'default',
  route(input, policy) {
    const { request, lines, locations, stock, now } = input;
    if (request.type === 'in_store' || request.type === 'pickup') {
      const loc = locations.find((l) => l.id === request.location_id);
      if (!loc)
        return {
          ok: false,
          line: 0,
          ...because('unknown_location', { location: request.location_id }),
          candidates: [],
        };
      if (request.type === 'in_store') {
        // The till is never blocked: an in-store sale is allocated to its store whatever the records say.
        return {
          ok: true,
          decision: 'in_store',
          ...because('sold_at_till'),
          allocations: [{ location_id: loc.id, lines, speed: null, eta: eta(now, loc, null, 'in_store') }],
          candidates: [{ location_id: loc.id, distance_km: 0, can_fulfil: true }],
        };
      }
      const s = shortfall(loc.id, lines, stock);
      if (!loc.can_pickup || s) {
        const m = loc.can_pickup && s ? missing(lines, s) : null;
        const reason = m
          ? because('missing_stock', { location: loc.id, ...m })
          : because('no_pickup', { location: loc.id });
        const why = m ? whyNot('missing_stock', m) : whyNot('no_pickup');
        return {
          ok: false,
          line: s?.index ?? 0,
          ...reason,
          candidates: [{ location_id: loc.id, distance_km: 0, can_fulfil: false, ...why }],
        };
      }
      return {
        ok: true,
        decision: 'pickup',
        ...because('picked_up_at', { location: loc.id }),
        allocations: [{ location_id: loc.id, lines, speed: null, eta: eta(now, loc, null, 'pickup') }],
        candidates: [{ location_id: loc.id, distance_km: 0, can_fulfil: true }],
      };
    }

    const { lat, lng, speed } = request;
    // No full sort: the decision needs the nearest qualifying location, the explanation only the nearest few.
    const scored: Scored[] = locations.map((loc) => ({ loc, km: haversineKm(lat, lng, loc.lat, loc.lng), why: null }));
    const nearest = nearestFirst(scored, policy.explainTop);
    // Which locations may serve this speed at all, as a code; the text is written only for the
    // candidates an explanation shows (formatting it for 1,000 locations costs more than routing).
    for (const s of scored) {
      const l = s.loc;
      if (speed === 'hour') {
        if (l.local_delivery_km === null) s.why = 'no_local_delivery';
        else if (s.km > l.local_delivery_km) s.why = 'out_of_delivery_range';
        else if (!isOpen(l.opening_hours, l.timezone, now)) s.why = 'closed_now';
      } else if (speed === 'same_day') {
        if (l.type === 'dc') s.why = 'dc_no_same_day';
        else if (!l.can_ship && l.local_delivery_km === null) s.why = 'does_not_ship';
        else if (s.km > policy.sameDayRadiusKm) s.why = 'beyond_same_day_radius';
      } else if (!l.can_ship) s.why = 'does_not_ship_parcels';
    }
    const eligible = scored.filter((s) => !s.why);
    // Units of each line at each eligible location, read once; only the locations that hold one of
    // the SKUs when the caller can say which (1,000 locations × 5 lines is otherwise 5,000 lookups).
    const holders = input.holders ? new Set(lines.flatMap((l) => [...input.holders!(l.sku)])) : null;
    const stocked = (holders ? eligible.filter((s) => holders.has(s.loc.id)) : eligible).map((s) => ({
      s,
      has: lines.map((l) => stock(s.loc.id, l.sku)),
    }));
    const covers = (has: number[]) => has.every((n, i) => n >= lines[i].qty);
    const explain = (chosen: Set<string>): Candidate[] => {
      const top = [...nearest];
      for (const s of scored) if (chosen.has(s.loc.id) && !top.includes(s)) top.push(s);
      return top.map((s) => {
        let why: WhyNot | undefined;
        if (s.why === 'out_of_delivery_range')
          why = whyNot(s.why, { km: round(s.km), limit_km: s.loc.local_delivery_km ?? 0 });
        else if (s.why === 'beyond_same_day_radius')
          why = whyNot(s.why, { km: round(s.km), limit_km: policy.sameDayRadiusKm });
        else if (s.why) why = whyNot(s.why);
        else if (!chosen.has(s.loc.id)) {
          const short = shortfall(s.loc.id, lines, stock);
          if (short) why = whyNot('missing_stock', missing(lines, short));
        }
        return { location_id: s.loc.id, distance_km: round(s.km), can_fulfil: !why, ...why };
      });
    };

    let single: Scored | undefined;
    let reason: Reason | undefined;
    const closest = (ok: (x: (typeof stocked)[number]) => boolean) => {
      let best: Scored | undefined;
      for (const x of stocked) if ((!best || x.s.km < best.km) && ok(x)) best = x.s;
      return best;
    };
    if (speed === 'standard' && policy.preferDcForStandard)
      single = closest((x) => x.s.loc.type === 'dc' && covers(x.has));
    if (single) reason = because('dc_standard_has_all');
    else {
      single = closest((x) => covers(x.has));
      if (single) {
        reason =
          speed === 'hour'
            ? because('nearest_hour_store', { limit_km: single.loc.local_delivery_km ?? 0 })
            : because('nearest_shipper', { km: round(single.km) });
      }
    }
    if (single && reason) {
      return {
        ok: true,
        decision: 'single',
        ...reason,
        allocations: [{ location_id: single.loc.id, lines, speed, eta: eta(now, single.loc, speed, 'delivery') }],
        candidates: explain(new Set([single.loc.id])),
      };
    }
    if (speed === 'hour') {
      const firstMissing = lines.findIndex((_, i) => !stocked.some((x) => x.has[i] >= lines[i].qty));
      return {
        ok: false,
        line: Math.max(0, firstMissing),
        ...because(eligible.length === 0 ? 'no_open_store_in_range' : 'no_hour_store_has_all'),
        candidates: explain(new Set()),
      };
    }

    // Split across the fewest locations: repeatedly take the one that covers most of what is left, nearer first.
    const remaining = lines.map((l) => l.qty);
    const allocations: Allocation[] = [];
    const used = new Set<string>();
    while (remaining.some((q) => q > 0) && allocations.length < policy.maxSplit) {
      let best: { x: (typeof stocked)[number]; units: number } | null = null;
      for (const x of stocked) {
        if (used.has(x.s.loc.id)) continue;
        let units = 0;
        for (let i = 0; i < lines.length; i++) units += Math.min(remaining[i], Math.max(0, x.has[i]));
        if (units > 0 && (!best || units > best.units || (units === best.units && x.s.km < best.x.s.km)))
          best = { x, units };
      }
      if (!best) break;
      used.add(best.x.s.loc.id);
      const take: RoutingLine[] = [];
      for (let i = 0; i < lines.length; i++) {
        const n = Math.min(remaining[i], Math.max(0, best.x.has[i]));
        if (n > 0) {
          take.push({ sku: lines[i].sku, qty: n });
          remaining[i] -= n;
        }
      }
      allocations.push({
        location_id: best.x.s.loc.id,
        lines: take,
        speed,
        eta: eta(now, best.x.s.loc, speed, 'delivery'),
      });
    }
    const unmet = remaining.findIndex((q) => q > 0);
    if (unmet >= 0) {
      return {
        ok: false,
        line: unmet,
        ...because('not_enough_for_speed', { sku: lines[unmet].sku, speed }),
        candidates: explain(used),
      };
    }
    return {
      ok: true,
      decision: 'split',
      ...because('split', { count: allocations.length }),
      allocations,
      candidates: explain(used),
    };
  },
};
