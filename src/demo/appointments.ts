import { sql } from 'kysely';
import type { Database } from '../platform/db/database';

/**
 * The demo's service appointments and footfall: every store offers three services; appointments
 * from three days ago (completed, a few cancelled) to four days ahead (booked), one per store,
 * service, day and slot (within capacity), for members picked by id; and a people counter's hourly
 * counts for the last five weeks, 09:00–21:59 local, roughly 6–14 visitors per till sale of that
 * hour (so conversion is plausible) plus a few who bought nothing. Three statements, no loops.
 */
export async function seedDemoAppointments(database: Database, anchor: Date, timezone: string): Promise<void> {
  const db = database.db;
  const today = sql`(${anchor.toISOString()}::timestamptz AT TIME ZONE ${timezone})::date`;
  await sql`
    INSERT INTO store_services (location_id, code, name, duration_minutes, capacity)
    SELECT l.id, s.code, s.name, s.minutes, s.capacity FROM locations l
    CROSS JOIN (VALUES ('ac_clean', '空调清洗', 90, 2), ('appliance_install', '家电上门安装', 120, 1),
                       ('phone_care', '手机贴膜与检测', 30, 2)) AS s(code, name, minutes, capacity)
    WHERE l.type = 'store'`.execute(db);
  // slots: days −3…+4, at 10:00, 11:30, 14:00, 15:30 and 17:00; about half are taken
  await sql`
    WITH slots AS (
      SELECT s.location_id, s.code, s.duration_minutes, d.day, t.at,
             row_number() OVER (ORDER BY s.location_id, s.code, d.day, t.at) AS n
      FROM store_services s
      CROSS JOIN generate_series(-3, 4) AS d(day)
      CROSS JOIN (VALUES (time '10:00'), (time '11:30'), (time '14:00'), (time '15:30'), (time '17:00')) AS t(at)
      WHERE hashtext(s.location_id || s.code || d.day || t.at) % 2 = 0),
    people AS (
      SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers
      WHERE root_id IS NULL AND kind = 'known' AND erased_at IS NULL ORDER BY id LIMIT 400),
    picked AS (
      SELECT s.*, p.id AS customer_id, ((${today} + s.day) + s.at) AT TIME ZONE ${timezone} AS starts_at
      FROM slots s JOIN people p ON p.n = 1 + (s.n * 7) % (SELECT count(*) FROM people))
    INSERT INTO appointments (id, customer_id, location_id, service, starts_at, ends_at, status, booked_at, completed_at, cancelled_at)
    SELECT 'apt_demo_' || n, customer_id, location_id, code, starts_at, starts_at + duration_minutes * interval '1 minute',
           CASE WHEN day >= 0 THEN 'booked' WHEN n % 9 = 0 THEN 'cancelled' ELSE 'completed' END,
           starts_at - interval '3 days',
           CASE WHEN day < 0 AND n % 9 <> 0 THEN starts_at + duration_minutes * interval '1 minute' END,
           CASE WHEN day < 0 AND n % 9 = 0 THEN starts_at - interval '1 day' END
    FROM picked`.execute(db);
  await sql`
    WITH hours AS (
      SELECT l.id AS location_id, ((${today} - d.day) + h.hour * interval '1 hour') AT TIME ZONE ${timezone} AS from_at
      FROM locations l CROSS JOIN generate_series(1, 35) AS d(day) CROSS JOIN generate_series(9, 21) AS h(hour)
      WHERE l.type = 'store'),
    sales AS (
      SELECT location_id, date_trunc('hour', placed_at) AS at, count(*) AS n FROM orders
      WHERE channel = 'pos' AND placed_at >= ((${today} - 35)::timestamp AT TIME ZONE ${timezone})
      GROUP BY 1, 2)
    INSERT INTO store_footfall (location_id, from_at, to_at, source, count)
    SELECT h.location_id, h.from_at, h.from_at + interval '1 hour', 'door-counter',
           coalesce(s.n, 0) * (6 + abs(hashtext(h.location_id || h.from_at::text)) % 9)
             + 3 + abs(hashtext(h.from_at::text || h.location_id)) % 12
    FROM hours h LEFT JOIN sales s ON s.location_id = h.location_id AND s.at = h.from_at`.execute(db);
}
