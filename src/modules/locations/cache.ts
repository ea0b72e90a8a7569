import type { Queryable } from '../../platform/db/database';
import type { RoutingLocation } from '../routing/policy';

const TTL_MS = 2000;
/** Per database handle (several servers may share one process in tests and benchmarks). */
const cache = new WeakMap<object, { at: number; items: Promise<RoutingLocation[]> }>();

async function load(db: Queryable): Promise<RoutingLocation[]> {
  const rows = await db.selectFrom('locations').selectAll().execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    lat: r.lat,
    lng: r.lng,
    timezone: r.timezone,
    opening_hours: r.opening_hours as RoutingLocation['opening_hours'],
    can_ship: r.can_ship,
    can_pickup: r.can_pickup,
    local_delivery_km: r.local_delivery_km,
    status: r.status,
  }));
}

/**
 * Locations change rarely and are read by every order: a short-lived per-process cache. The pending
 * load is shared, so a burst of orders after expiry reads the table once, not once per order.
 */
export async function routingLocations(db: Queryable): Promise<RoutingLocation[]> {
  const hit = cache.get(db);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.items;
  const items = load(db);
  cache.set(db, { at: Date.now(), items });
  items.catch(() => cache.delete(db));
  return items;
}

/** After a location changes: the next read loads them again (other processes within the TTL). */
export function forgetLocations(db: Queryable): void {
  cache.delete(db);
}
