import { sql } from 'kysely';

/**
 * The ids of the stores and dark stores (those that sell to people nearby) within radius_km of a
 * point, or all of them without one. A fragment for `IN (...)`: the locations table is named only here.
 */
export function storeIdsWithin(area: { lat: number; lng: number; radius_km: number } | null) {
  const at = area ?? { lat: 0, lng: 0, radius_km: 0 };
  return sql<string>`(
    SELECT id FROM locations WHERE type IN ('store','dark_store')
      AND (${area === null} OR 2 * 6371.0088 * asin(least(1, sqrt(
            power(sin(radians(lat - ${at.lat}) / 2), 2)
          + cos(radians(${at.lat})) * cos(radians(lat)) * power(sin(radians(lng - ${at.lng}) / 2), 2)))) <= ${at.radius_km}))`;
}
