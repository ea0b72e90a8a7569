import type { Selectable } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { LocationsTable } from '../../platform/db/schema';

export type OpeningHours = Record<string, [string, string][]>;

export interface Location {
  id: string;
  name: string;
  type: 'dc' | 'store' | 'dark_store';
  lat: number;
  lng: number;
  timezone: string;
  address: string | null;
  opening_hours: OpeningHours | null;
  capabilities: { ship: boolean; pickup: boolean; local_delivery_km: number | null };
}

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
