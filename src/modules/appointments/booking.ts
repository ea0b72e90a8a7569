import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { Database, Queryable, Tx } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { publish } from '../../platform/events/outbox';
import { conflict, forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { customerRoots } from '../customers/public';
import { openDuring } from '../locations/public';
import { orderFacts } from '../orders/public';
import { lockService, type StoreService } from './services';
import type { AppointmentStatus } from './tables';

export interface Appointment {
  id: string;
  customer_id: string;
  location_id: string;
  service: string;
  starts_at: string;
  ends_at: string;
  status: AppointmentStatus;
  order_id: string | null;
  booked_at: string;
  completed_at: string | null;
  cancelled_at: string | null;
}

interface Row extends Omit<Appointment, 'starts_at' | 'ends_at' | 'booked_at' | 'completed_at' | 'cancelled_at'> {
  starts_at: Date;
  ends_at: Date;
  booked_at: Date;
  completed_at: Date | null;
  cancelled_at: Date | null;
}

const COLUMNS = sql`id, customer_id, location_id, service, starts_at, ends_at, status, order_id, booked_at, completed_at, cancelled_at`;
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export function toAppointment(r: Row): Appointment {
  return {
    ...r,
    starts_at: iso(r.starts_at)!,
    ends_at: iso(r.ends_at)!,
    booked_at: iso(r.booked_at)!,
    completed_at: iso(r.completed_at),
    cancelled_at: iso(r.cancelled_at),
  };
}

export async function readAppointment(db: Queryable, id: string): Promise<Appointment | null> {
  const r = await sql<Row>`SELECT ${COLUMNS} FROM appointments WHERE id = ${id}`.execute(db);
  return r.rows[0] ? toAppointment(r.rows[0]) : null;
}

/** Store staff act on their own store's appointments only. */
export function checkStore(p: Principal, location: string): void {
  if (p.role === 'store_staff' && p.locationId !== location)
    throw forbidden('store staff act on their own store’s appointments only');
}

/** The order an appointment follows must exist and be the customer's (any profile of the person). */
async function checkOrder(db: Queryable, orderId: string, root: string): Promise<void> {
  const r = await sql<{ root: string | null }>`
    SELECT c.root FROM ${orderFacts} o LEFT JOIN ${customerRoots} c ON c.id = o.customer_id
    WHERE o.id = ${orderId}`.execute(db);
  if (r.rows.length === 0) throw unprocessable('unknown_order', `order ${orderId} does not exist`, 'order_id');
  if (r.rows[0]!.root !== root)
    throw unprocessable('order_of_another_customer', 'the order is not this customer’s', 'order_id');
}

/**
 * Refuses a time in the past, one the service would not fit in the store's opening hours (start to
 * end), and one at which `capacity` booked appointments of the service already overlap it (the
 * caller holds the service's row lock, so nobody books meanwhile).
 */
async function checkSlot(
  tx: Tx,
  location: string,
  s: StoreService,
  startsAt: Date,
  now: Date,
  except: string | null,
): Promise<Date> {
  if (startsAt.getTime() < now.getTime())
    throw unprocessable('appointment_in_past', 'starts_at is in the past', 'starts_at');
  const endsAt = new Date(startsAt.getTime() + s.duration_minutes * 60_000);
  if (!(await openDuring(tx, location, startsAt, endsAt)))
    throw unprocessable(
      'outside_opening_hours',
      `the store is not open for the whole of ${s.name} (${s.duration_minutes} min) from starts_at`,
      'starts_at',
    );
  const r = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM appointments
    WHERE location_id = ${location} AND service = ${s.code} AND status = 'booked'
      AND starts_at < ${endsAt.toISOString()}::timestamptz AND ends_at > ${startsAt.toISOString()}::timestamptz
      AND id IS DISTINCT FROM ${except}`.execute(tx);
  if (Number(r.rows[0]!.n) >= s.capacity)
    throw conflict('slot_full', `${s.name} is fully booked at this time (capacity ${s.capacity})`, 'starts_at', {
      capacity: s.capacity,
    });
  return endsAt;
}

const event = (type: string, a: Appointment) => ({
  aggregateType: 'appointment',
  aggregateId: a.id,
  type,
  payload: {
    appointment_id: a.id,
    customer_id: a.customer_id,
    location_id: a.location_id,
    service: a.service,
    starts_at: a.starts_at,
    order_id: a.order_id,
  },
});

export interface BookingInput {
  customerId: string;
  location: string;
  service: string;
  startsAt: Date;
  orderId: string | null;
}

/** Books an appointment: 409 slot_full over the service's capacity, under its row lock. */
export async function book(database: Database, p: Principal, b: BookingInput, now = new Date()): Promise<Appointment> {
  checkStore(p, b.location);
  if (b.orderId !== null) await checkOrder(database.db, b.orderId, b.customerId);
  return transact(database, async (tx) => {
    const s = await lockService(tx, b.location, b.service);
    if (!s) throw unprocessable('unknown_service', `this store offers no service ${b.service}`, 'service');
    const endsAt = await checkSlot(tx, b.location, s, b.startsAt, now, null);
    const r = await sql<Row>`
      INSERT INTO appointments (id, customer_id, location_id, service, starts_at, ends_at, status, order_id, booked_at)
      VALUES (${newId('apt')}, ${b.customerId}, ${b.location}, ${s.code}, ${b.startsAt.toISOString()}::timestamptz,
              ${endsAt.toISOString()}::timestamptz, 'booked', ${b.orderId}, ${now.toISOString()}::timestamptz)
      RETURNING ${COLUMNS}`.execute(tx);
    const a = toAppointment(r.rows[0]!);
    await publish(tx, event('appointment.booked', a));
    return a;
  });
}

/** The appointment's row, locked; 404 when none, 403 another store's for store staff, 409 when no longer booked. */
async function lockBooked(tx: Tx, p: Principal, id: string): Promise<Row> {
  const r = await sql<Row>`SELECT ${COLUMNS} FROM appointments WHERE id = ${id} FOR UPDATE`.execute(tx);
  const row = r.rows[0];
  if (!row) throw notFound('appointment', 'id');
  checkStore(p, row.location_id);
  if (row.status !== 'booked')
    throw conflict('appointment_not_booked', `the appointment is ${row.status}`, 'id', { status: row.status });
  return row;
}

/** Moves a booked appointment to another time, within its service's capacity (service row, then its row: locks.ts). */
export async function reschedule(
  database: Database,
  p: Principal,
  id: string,
  startsAt: Date,
  now = new Date(),
): Promise<Appointment> {
  return transact(database, async (tx) => {
    const seen = await readAppointment(tx, id);
    if (!seen) throw notFound('appointment', 'id');
    checkStore(p, seen.location_id);
    const s = await lockService(tx, seen.location_id, seen.service);
    const row = await lockBooked(tx, p, id);
    if (!s) throw unprocessable('unknown_service', 'the store no longer offers this service', 'service');
    const endsAt = await checkSlot(tx, row.location_id, s, startsAt, now, id);
    const r = await sql<Row>`
      UPDATE appointments SET starts_at = ${startsAt.toISOString()}::timestamptz, ends_at = ${endsAt.toISOString()}::timestamptz
      WHERE id = ${id} RETURNING ${COLUMNS}`.execute(tx);
    const a = toAppointment(r.rows[0]!);
    await publish(tx, event('appointment.rescheduled', a));
    return a;
  });
}

/** Ends a booked appointment: completed (the service was given) or cancelled. */
export async function finish(
  database: Database,
  p: Principal,
  id: string,
  to: 'completed' | 'cancelled',
  now = new Date(),
): Promise<Appointment> {
  return transact(database, async (tx) => {
    await lockBooked(tx, p, id);
    const at = sql`${now.toISOString()}::timestamptz`;
    const r = await sql<Row>`
      UPDATE appointments SET status = ${to},
        completed_at = ${to === 'completed' ? at : null}, cancelled_at = ${to === 'cancelled' ? at : null}
      WHERE id = ${id} RETURNING ${COLUMNS}`.execute(tx);
    const a = toAppointment(r.rows[0]!);
    await publish(tx, event(`appointment.${to}`, a));
    return a;
  });
}
