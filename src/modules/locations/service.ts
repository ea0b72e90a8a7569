import type { Static } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { LocationsTable } from '../../platform/db/schema';
import type { LocationSchema } from './schemas';

export type OpeningHours = Partial<Record<string, [string, string][]>>;

export type Location = Static<typeof LocationSchema>;

export function toLocation(r: Selectable<LocationsTable>): Location {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    lat: r.lat,
    lng: r.lng,
    timezone: r.timezone,
    address: r.address,
    opening_hours: r.opening_hours as OpeningHours | null,
    capabilities: { ship: r.can_ship, pickup: r.can_pickup, local_delivery_km: r.local_delivery_km },
    status: r.status,
  };
}

export async function listLocations(db: Queryable): Promise<Location[]> {
  return (await db.selectFrom('locations').selectAll().orderBy('type').orderBy('id').execute()).map(toLocation);
}

export async function getLocation(db: Queryable, id: string): Promise<Location | null> {
  const r = await db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toLocation(r) : null;
}

export async function locationExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.selectFrom('locations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Which of these locations exist. */
export async function existingLocationIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set((await db.selectFrom('locations').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
}

export interface LocationInput {
  id?: string;
  name: string;
  type: 'dc' | 'store' | 'dark_store';
  lat: number;
  lng: number;
  timezone?: string;
  address?: string;
  opening_hours?: OpeningHours | null;
  capabilities: { ship: boolean; pickup: boolean; local_delivery_km: number | null };
}

/** Creates a location, or updates it when the id exists. */
export async function upsertLocation(
  db: Queryable,
  id: string,
  l: LocationInput,
): Promise<{ location: Location; created: boolean }> {
  const values = {
    name: l.name,
    type: l.type,
    lat: l.lat,
    lng: l.lng,
    timezone: l.timezone ?? 'Asia/Shanghai',
    address: l.address ?? null,
    opening_hours: l.opening_hours ? JSON.stringify(l.opening_hours) : null,
    can_ship: l.capabilities.ship,
    can_pickup: l.capabilities.pickup,
    local_delivery_km: l.capabilities.local_delivery_km,
  };
  const existed = await locationExists(db, id);
  const row = await db
    .insertInto('locations')
    .values({ id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { location: toLocation(row), created: !existed };
}

export interface LocationPatch {
  name?: string;
  opening_hours?: OpeningHours | null;
  capabilities?: { ship?: boolean; pickup?: boolean; local_delivery_km?: number | null };
  status?: 'active' | 'closed';
}

/** Changes what is given of one location; null when there is no such location. */
export async function patchLocation(db: Queryable, id: string, p: LocationPatch): Promise<Location | null> {
  const c = p.capabilities ?? {};
  const set = {
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.opening_hours !== undefined
      ? { opening_hours: p.opening_hours ? JSON.stringify(p.opening_hours) : null }
      : {}),
    ...(c.ship !== undefined ? { can_ship: c.ship } : {}),
    ...(c.pickup !== undefined ? { can_pickup: c.pickup } : {}),
    ...(c.local_delivery_km !== undefined ? { local_delivery_km: c.local_delivery_km } : {}),
    ...(p.status !== undefined ? { status: p.status } : {}),
  };
  const row = await db.updateTable('locations').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toLocation(row) : null;
}
