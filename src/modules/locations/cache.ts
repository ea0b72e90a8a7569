import type { Queryable } from '../../platform/db/database';
import type { RoutingLocation } from '../routing/policy';

const TTL_MS = 2000;
let cached: { at: number; items: RoutingLocation[] } | null = null;

/** Locations change rarely and are read by every order: a short-lived per-process cache. */
export async function routingLocations(db: Queryable): Promise<RoutingLocation[]> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.items;
  const rows = await db.selectFrom('locations').selectAll().execute();
  const items: RoutingLocation[] = rows.map((r) => ({
    id: r.id, type: r.type, lat: r.lat, lng: r.lng, timezone: r.timezone,
    opening_hours: r.opening_hours as RoutingLocation['opening_hours'],
    can_ship: r.can_ship, can_pickup: r.can_pickup, local_delivery_km: r.local_delivery_km,
  }));
  cached = { at: Date.now(), items };
  return items;
}

export function forgetLocations(): void {
  cached = null;
}
