import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { openThroughout } from '../routing/geo';
import type { OpeningHours } from './service';

/** Great-circle distance in km (haversine) from a point to a location row's lat/lng. */
const kmFrom = (lat: number, lng: number) => sql<number>`2 * 6371.0088 * asin(least(1, sqrt(
    power(sin(radians(lat - ${lat}) / 2), 2)
  + cos(radians(${lat})) * cos(radians(lat)) * power(sin(radians(lng - ${lng}) / 2), 2))))`;

/**
 * The ids of the stores and dark stores (those that sell to people nearby) within radius_km of a
 * point, or all of them without one. A fragment for `IN (...)`: the locations table is named only here.
 */
export function storeIdsWithin(area: { lat: number; lng: number; radius_km: number } | null) {
  const at = area ?? { lat: 0, lng: 0, radius_km: 0 };
  return sql<string>`(
    SELECT id FROM locations WHERE type IN ('store','dark_store')
      AND (${area === null} OR ${kmFrom(at.lat, at.lng)} <= ${at.radius_km}))`;
}

/**
 * The open shops (type `store`, status active: where a person can walk in) within `km` of a point,
 * with their distance: `(id, name, km)` rows. A FROM-clause fragment.
 */
export const openShopsNear = (at: { lat: number; lng: number }, km: number) =>
  sql<{ id: string; name: string; km: number }>`(
    SELECT id, name, d.km FROM locations, LATERAL (SELECT ${kmFrom(at.lat, at.lng)} AS km) d
    WHERE type = 'store' AND status = 'active' AND d.km <= ${km}::double precision)`;

/** The stores and dark stores with where they are (`id`, `lat`, `lng`). A FROM-clause fragment. */
export const storePoints = sql`(SELECT id, lat, lng FROM locations WHERE type IN ('store','dark_store'))`;

/** Which of these ids are stores or dark stores. */
export async function existingStoreIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ id: string }>`
    SELECT id FROM locations WHERE type IN ('store','dark_store') AND id = ANY(${[...ids]}::text[])`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/**
 * The ids of the shops (type `store`: not the DC, not dark stores), for `IN (...)`: the locations
 * whose online orders they fulfil earn them a revenue share (settlements).
 */
export const shopIds = sql<string>`(SELECT id FROM locations WHERE type = 'store')`;

/** A location's name (a store's, for messages naming it), or null when there is none with this id. */
export async function locationName(db: Queryable, id: string): Promise<string | null> {
  const r = await sql<{ name: string }>`SELECT name FROM locations WHERE id = ${id}`.execute(db);
  return r.rows[0]?.name ?? null;
}

/**
 * Whether the location is open for the whole of [from, to) by its opening hours, in its own time
 * zone (a service booked at a store must fit them); false when there is no such location.
 */
export async function openDuring(db: Queryable, id: string, from: Date, to: Date): Promise<boolean> {
  const r = await sql<{ opening_hours: OpeningHours | null; timezone: string }>`
    SELECT opening_hours, timezone FROM locations WHERE id = ${id}`.execute(db);
  const l = r.rows[0];
  return l !== undefined && openThroughout(l.opening_hours, l.timezone, from, to);
}

export { existingLocationIds, getLocation, listLocations, locationExists } from './service';
export { routingLocations } from './cache';
export type { Location } from './service';
