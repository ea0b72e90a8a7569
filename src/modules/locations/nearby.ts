import type { Queryable } from '../../platform/db/database';
import { onlineAvailability } from '../inventory/public';
import { haversineKm } from '../routing/public';
import { routingLocations } from './cache';

export interface NearbyStore {
  location_id: string;
  type: string;
  distance_km: number;
  online_available?: number;
}

/** Stores (and dark stores) within a radius, nearest first; with a SKU, their online-available units. */
export async function nearbyStores(
  db: Queryable,
  q: { lat: number; lng: number; radius_km: number; sku?: string; qty?: number },
): Promise<NearbyStore[]> {
  const locations = (await routingLocations(db)).filter((l) => l.type !== 'dc' && l.status !== 'closed');
  const stock = q.sku ? await onlineAvailability(db, [q.sku]) : null;
  const out: NearbyStore[] = [];
  for (const l of locations) {
    const km = haversineKm(q.lat, q.lng, l.lat, l.lng);
    if (km > q.radius_km) continue;
    const entry: NearbyStore = { location_id: l.id, type: l.type, distance_km: Math.round(km * 100) / 100 };
    if (stock && q.sku) {
      entry.online_available = Math.max(0, stock.get(`${l.id}|${q.sku}`) ?? 0);
      if (q.qty !== undefined && entry.online_available < q.qty) continue;
    }
    out.push(entry);
  }
  return out.sort((a, b) => a.distance_km - b.distance_km);
}
