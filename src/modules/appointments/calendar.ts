import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Queryable } from '../../platform/db/database';
import { namesFor } from '../customers/public';
import { toAppointment, type Appointment } from './booking';

export interface CalendarEntry extends Appointment {
  service_name: string;
  /** As the viewer may see it (masked for store staff and support), null when unknown. */
  customer_name: string | null;
}

/**
 * A store's appointments starting on `days` days from `from` (the retailer's days), cancelled ones
 * included, by start time: the store's day or week view.
 */
export async function calendar(
  db: Queryable,
  keys: KeyRing,
  viewer: Principal,
  tz: string,
  location: string,
  from: string,
  days: number,
): Promise<{ location_id: string; from: string; days: number; items: CalendarEntry[] }> {
  const r = await sql<Parameters<typeof toAppointment>[0] & { service_name: string }>`
    SELECT a.id, a.customer_id, a.location_id, a.service, a.starts_at, a.ends_at, a.status, a.order_id,
           a.booked_at, a.completed_at, a.cancelled_at, s.name AS service_name
    FROM appointments a JOIN store_services s ON s.location_id = a.location_id AND s.code = a.service
    WHERE a.location_id = ${location}
      AND a.starts_at >= (${from}::date::timestamp AT TIME ZONE ${tz})
      AND a.starts_at < ((${from}::date + ${days}::int)::timestamp AT TIME ZONE ${tz})
    ORDER BY a.starts_at, a.id`.execute(db);
  const names = await namesFor(
    db,
    keys,
    viewer,
    r.rows.map((x) => x.customer_id),
  );
  const items = r.rows.map(({ service_name, ...row }) => ({
    ...toAppointment(row),
    service_name,
    customer_name: names.get(row.customer_id) ?? null,
  }));
  return { location_id: location, from, days, items };
}
