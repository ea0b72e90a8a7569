/**
 * Fulfilment timings rollup (analytics_fulfilment_timings, migration 2400): per fulfilment of a
 * paid online order, the pick and ready-for-pickup times and the no-show and on-time outcomes the
 * store league and scorecards count (stores.ts), so they read a narrow table by store and day
 * instead of every fulfilment's events joined to its order.
 *
 * A row depends on the state now (the fulfilment's status and first step times, the order's
 * payment), not on one event: every order or fulfilment event recomputes the rows of its order
 * from fulfilment's `fulfilmentTimings` and orders' `orderFacts`, in the dispatcher's transaction.
 * Recomputing is idempotent (an event seen twice, or already in a rebuild, changes nothing). Batches
 * of several processes take a lock per order (`analytics.fulfilment:<order>`, in byte order, last in
 * the batch) before reading, so the later batch reads what the earlier one committed; the rebuild
 * (rollup.ts, under the rollups' exclusive lock) recomputes every row.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { byteOrder } from '../../platform/db/locks';
import type { PublishedEvent } from '../../platform/events/outbox';
import { FULFILMENT_EVENT_TYPES, fulfilmentTimings } from '../fulfilment/public';
import { orderFacts } from '../orders/public';
import { lockKeys } from './root-locks';

/** The events that change an order's fulfilment timings: its payment, its end, every fulfilment step. */
export const FULFILMENT_TIMING_EVENTS = [
  'order.placed',
  'order.paid',
  'order.cancelled',
  'order.expired',
  ...FULFILMENT_EVENT_TYPES,
];

/** The rows of these orders (all: null), as the definitions in stores.ts count them. */
function timingRows(tz: string, orderIds: string[] | null): RawBuilder<unknown> {
  const handed = sql`CASE WHEN f.type = 'pickup' THEN f.ready_at ELSE f.handed_over_at END`;
  const hour = sql`f.type = 'delivery' AND f.speed = 'hour' AND f.eta IS NOT NULL`;
  const readyPickup = sql`f.type = 'pickup' AND f.ready_at IS NOT NULL`;
  return sql`
    SELECT order_id, fulfillment_id, day, location_id, pick_seconds, ready_seconds, pickup_ended, pickup_no_show,
           hour_counted, hour_on_time
    FROM (
      SELECT o.id AS order_id, f.id AS fulfillment_id, (o.placed_at AT TIME ZONE ${tz})::date AS day, f.location_id,
             extract(epoch FROM ${handed} - o.paid_at)::double precision AS pick_seconds,
             CASE WHEN f.type = 'pickup' THEN extract(epoch FROM f.ready_at - o.placed_at)::double precision END AS ready_seconds,
             (${readyPickup} AND f.status IN ('collected', 'failed', 'cancelled')) AS pickup_ended,
             (${readyPickup} AND f.status IN ('failed', 'cancelled')) AS pickup_no_show,
             (${hour} AND (f.delivered_at IS NOT NULL OR f.status = 'failed')) AS hour_counted,
             coalesce(${hour} AND f.delivered_at <= f.eta, false) AS hour_on_time
      FROM ${orderFacts} o JOIN ${fulfilmentTimings} f ON f.order_id = o.id
      WHERE o.channel <> 'pos' AND o.paid_at IS NOT NULL
        ${orderIds ? sql`AND o.id = ANY(${orderIds}::text[])` : sql``}) x
    WHERE pick_seconds IS NOT NULL OR hour_counted`;
}

/** Recomputes the fulfilment timings of every order (the rebuild, in its transaction). */
export async function rebuildFulfilmentTimings(db: Queryable, tz: string): Promise<void> {
  await sql`DELETE FROM analytics_fulfilment_timings`.execute(db);
  // In day order, so that a range of days is a run of adjacent pages (new rows are recent days).
  await sql`INSERT INTO analytics_fulfilment_timings SELECT * FROM (${timingRows(tz, null)}) x ORDER BY day, location_id`.execute(
    db,
  );
}

/** Recomputes the fulfilment timings of the orders of a dispatched batch of events. */
export async function applyFulfilmentEvents(tx: Tx, tz: string, events: PublishedEvent[]): Promise<void> {
  // A till sale has no timings (channel pos is not counted): its placement, most of the events, is skipped.
  const relevant = events.filter((e) => !(e.type === 'order.placed' && e.payload.channel === 'pos'));
  const orderIds = [...new Set(relevant.map((e) => String(e.payload.order_id ?? e.aggregateId)))].sort(byteOrder);
  if (orderIds.length === 0) return;
  // Shared with the other batches, exclusive for a rebuild (fresh-events.ts).
  await sql`SELECT pg_advisory_xact_lock_shared(hashtext('analytics.rollups'))`.execute(tx);
  await lockKeys(
    tx,
    orderIds.map((id) => `analytics.fulfilment:${id}`),
  );
  await sql`DELETE FROM analytics_fulfilment_timings WHERE order_id = ANY(${orderIds}::text[])`.execute(tx);
  await sql`INSERT INTO analytics_fulfilment_timings ${timingRows(tz, orderIds)}`.execute(tx);
}
