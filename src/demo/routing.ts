import {
  DEFAULT_POLICY,
  defaultStrategy,
  type FulfilmentRequest,
  type RoutingLine,
  type RoutingLocation,
  type RoutingResult,
} from '../modules/routing/policy';
import type { DemoStockRow } from './catalog';
import { DEMO_LOCATIONS } from './retailer';

/** How far back the history's orders keep the candidates their routing weighed (older ones keep the decision and reason). */
export const EXPLAINED_DAYS = 28;

/**
 * Routes the history's orders with the routing policy the server uses (defaultStrategy,
 * DEFAULT_POLICY) over the demo's locations, their opening hours at the order's time and the
 * stock as generated: the demo's orders carry real decisions, reasons and candidates.
 */
export class DemoRouter {
  private readonly locations: RoutingLocation[] = DEMO_LOCATIONS.map((l) => ({
    id: l.id,
    type: l.type,
    lat: l.lat,
    lng: l.lng,
    timezone: 'Asia/Shanghai',
    opening_hours: l.opening_hours,
    can_ship: l.can_ship,
    can_pickup: l.can_pickup,
    local_delivery_km: l.local_delivery_km,
  }));
  private readonly stock = new Map<string, number>();

  constructor(rows: DemoStockRow[]) {
    for (const r of rows) this.stock.set(`${r.location_id}|${r.sku}`, r.on_hand);
  }

  /** Units of a SKU at a location as generated (0 where the location does not carry it). */
  unitsAt(locationId: string, sku: string): number {
    return this.stock.get(`${locationId}|${sku}`) ?? 0;
  }

  route(request: FulfilmentRequest, lines: RoutingLine[], at: Date): RoutingResult {
    return defaultStrategy.route(
      { request, lines, locations: this.locations, stock: (l, sku) => this.unitsAt(l, sku), now: at },
      DEFAULT_POLICY,
    );
  }

  /** What an order keeps of its routing: the whole explanation when recent, the decision and reason before that. */
  static stored(r: RoutingResult & { ok: true }, explained: boolean) {
    return {
      decision: r.decision,
      reason: r.reason,
      reason_code: r.reason_code,
      ...(r.reason_params && { reason_params: r.reason_params }),
      strategy: defaultStrategy.name,
      candidates: explained ? r.candidates : [],
    };
  }
}
