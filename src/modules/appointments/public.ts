import { sql } from 'kysely';
import { customerRoots } from '../customers/public';

/** What other modules may use of appointments and footfall. */
export { footfallByHour, footfallOf } from './footfall';

const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** One kind's rows, read by its time's index (an arm whose type is not asked for reads nothing). */
const arm = (kind: 'booked' | 'completed', types: string[], from: Date, to: Date) => {
  const time = sql.ref(`a.${kind}_at`);
  return sql`
  SELECT 'appointment:' || a.id || ':' || ${kind}::text AS event_id, ${'appointment.' + kind}::text AS type, c.root,
         a.location_id, jsonb_build_object('appointment_id', a.id, 'service', a.service,
           'starts_at', a.starts_at, 'order_id', a.order_id) AS properties, ${time} AS received_at
  FROM appointments a JOIN ${customerRoots} c ON c.id = a.customer_id
  WHERE ${types.includes(`appointment.${kind}`)} AND ${time} > ${at(from)} AND ${time} <= ${at(to)}
    AND c.erased_at IS NULL`;
};

/**
 * Appointment bookings and completions in `(from, to]` as events of types `appointment.booked` and
 * `appointment.completed` (properties: appointment_id, service, starts_at, order_id), with the
 * columns of customers' eventsReceivedBetween, so journeys' event triggers read them alike:
 * under the root of the customer's group, erased people left out. A FROM-clause fragment.
 */
export const appointmentEventsBetween = (types: string[], from: Date, to: Date) =>
  sql<{
    event_id: string;
    type: string;
    root: string;
    location_id: string | null;
    properties: Record<string, unknown>;
    received_at: Date;
  }>`(${arm('booked', types, from, to)} UNION ALL ${arm('completed', types, from, to)})`;
