import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { byteOrder } from '../../platform/db/locks';

export interface StoreService {
  code: string;
  name: string;
  duration_minutes: number;
  capacity: number;
}

/** A store's active services, by code. */
export async function servicesOf(db: Queryable, location: string): Promise<StoreService[]> {
  const r = await sql<StoreService>`
    SELECT code, name, duration_minutes, capacity FROM store_services
    WHERE location_id = ${location} AND active ORDER BY code COLLATE "C"`.execute(db);
  return r.rows;
}

/**
 * Makes `services` the store's active services: each is created or updated, the others are
 * deactivated (kept, so their appointments still name them). Rows are written in code order, the
 * order booking locks them in (locks.ts).
 */
export async function replaceServices(tx: Tx, location: string, services: StoreService[]): Promise<void> {
  const sorted = [...services].sort((a, b) => byteOrder(a.code, b.code));
  if (sorted.length > 0)
    await sql`
      INSERT INTO store_services (location_id, code, name, duration_minutes, capacity, active, updated_at)
      SELECT ${location}, s.code, s.name, s.duration_minutes, s.capacity, true, now()
      FROM json_to_recordset(${JSON.stringify(sorted)}::json) AS s(code text, name text, duration_minutes integer, capacity integer)
      ON CONFLICT (location_id, code) DO UPDATE SET name = excluded.name, duration_minutes = excluded.duration_minutes,
        capacity = excluded.capacity, active = true, updated_at = now()`.execute(tx);
  await sql`
    UPDATE store_services SET active = false, updated_at = now()
    WHERE location_id = ${location} AND active AND NOT (code = ANY(${sorted.map((s) => s.code)}::text[]))`.execute(tx);
}

/**
 * Locks the store's active service row for a booking (locks.ts: taken last, one per transaction),
 * so bookings of one service at one store are counted against its capacity one at a time. Null
 * when the store does not offer it.
 */
export async function lockService(tx: Tx, location: string, code: string): Promise<StoreService | null> {
  const r = await sql<StoreService>`
    SELECT code, name, duration_minutes, capacity FROM store_services
    WHERE location_id = ${location} AND code = ${code} AND active FOR UPDATE`.execute(tx);
  return r.rows[0] ?? null;
}
