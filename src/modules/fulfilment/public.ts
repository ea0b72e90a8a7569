import { sql, type Insertable } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { insertFromJson } from '../../platform/db/json-rows';
import type { DB } from '../../platform/db/schema';
import type { StatementParams } from '../../platform/db/statement';
import { FULFILMENT_EVENTS } from './state';

export type { FulfilmentEvent } from './state';

/** What other modules may know of fulfilments beyond the service functions, never the tables. */

/** The types of the events a fulfilment's steps publish (`fulfillment.<step>`, payload order_id, fulfillment_id). */
export const FULFILMENT_EVENT_TYPES = FULFILMENT_EVENTS.map((e) => `fulfillment.${e}`);

export interface Allocation {
  id: string;
  order_id: string;
  location_id: string;
  type: string;
  speed: string | null;
  status: string;
  eta: Date | null;
  lines: { sku: string; qty: number }[];
}

/** An order's fulfilments with their lines, oldest first. */
export async function allocationsOf(db: Queryable, orderId: string): Promise<Allocation[]> {
  const fs = await db
    .selectFrom('fulfillments')
    .select(['id', 'order_id', 'location_id', 'type', 'speed', 'status', 'eta'])
    .where('order_id', '=', orderId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const lines = fs.length
    ? await db
        .selectFrom('fulfillment_lines')
        .select(['fulfillment_id', 'sku', 'qty'])
        .where(
          'fulfillment_id',
          'in',
          fs.map((f) => f.id),
        )
        .execute()
    : [];
  return fs.map((f) => ({
    ...f,
    lines: lines.filter((l) => l.fulfillment_id === f.id).map((l) => ({ sku: l.sku, qty: l.qty })),
  }));
}

/** One fulfilment with its lines (what a courier is asked to carry). */
export async function allocation(db: Queryable, id: string): Promise<Allocation> {
  const f = await db
    .selectFrom('fulfillments')
    .select(['id', 'order_id', 'location_id', 'type', 'speed', 'status', 'eta'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const lines = await db
    .selectFrom('fulfillment_lines')
    .select(['sku', 'qty'])
    .where('fulfillment_id', '=', id)
    .execute();
  return { ...f, lines };
}

/** A fulfilment's status now. */
export async function fulfilmentStatus(db: Queryable, id: string): Promise<string> {
  return (await db.selectFrom('fulfillments').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
}

/** Records the courier platform's reference for a fulfilment handed to it. */
export async function setCourierReference(db: Queryable, id: string, reference: string): Promise<void> {
  await db.updateTable('fulfillments').set({ courier_job_id: reference }).where('id', '=', id).execute();
}

/** The locations fulfilling an order. */
export async function fulfillingLocations(db: Queryable, orderId: string): Promise<string[]> {
  return (await db.selectFrom('fulfillments').select('location_id').where('order_id', '=', orderId).execute()).map(
    (f) => f.location_id,
  );
}

export { lockOrderOfFulfilment } from './order-lock';
/** Applies one fulfilment event under the state machine in the caller's transaction; the order follows. */
export { applyEvent } from './service';

/**
 * Sets the status of all of an order's fulfilments, as the order's payment, cancellation or expiry
 * decides (under the order's lock); returns them.
 */
export async function setFulfilmentsStatus(tx: Tx, orderId: string, status: 'allocated' | 'cancelled', at: Date) {
  return tx
    .updateTable('fulfillments')
    .set({ status, updated_at: at })
    .where('order_id', '=', orderId)
    .returning(['id', 'type', 'speed'])
    .execute();
}

/** Records the courier platform these fulfilments were handed to. */
export async function setCourier(tx: Tx, ids: readonly string[], courier: string): Promise<void> {
  if (ids.length) await tx.updateTable('fulfillments').set({ courier }).where('id', 'in', ids).execute();
}

export type NewFulfilment = Insertable<DB['fulfillments']>;
export type NewFulfilmentLine = Insertable<DB['fulfillment_lines']>;

/**
 * The INSERTs of new fulfilments and their lines, as parts of a caller's statement: orders writes
 * them with the order, in the one statement of its group commit.
 */
export function fulfilmentInserts(
  params: StatementParams,
  fulfilments: NewFulfilment[],
  lines: NewFulfilmentLine[],
): { name: string; sql: string }[] {
  const out: { name: string; sql: string }[] = [];
  if (fulfilments.length)
    out.push({ name: 'new_fulfillments', sql: insertFromJson(params, 'fulfillments', fulfilments) });
  if (lines.length)
    out.push({ name: 'new_fulfillment_lines', sql: insertFromJson(params, 'fulfillment_lines', lines) });
  return out;
}

/**
 * One row per fulfilment with the times of its steps (analytics: store scorecards): where, what
 * kind (`type` delivery, pickup, in_store; `speed` of a delivery), its status now, the promised
 * `eta`, and the first time it became ready for pickup (`ready_at`), was handed over to a courier
 * or carrier (`handed_over_at`: out_for_delivery or shipped), was delivered (`delivered_at`) or
 * collected (`collected_at`); null when it did not (yet). It was allocated when its order was paid
 * (the order's paid_at). A FROM-clause fragment: `JOIN ${fulfilmentTimings} f`.
 */
export const fulfilmentTimings = sql`(
  SELECT f.id, f.order_id, f.location_id, f.type, f.speed, f.status, f.eta, e.ready_at, e.handed_over_at,
         e.delivered_at, e.collected_at
  FROM fulfillments f LEFT JOIN LATERAL (
    SELECT min(x.at) FILTER (WHERE x.type = 'ready_for_pickup') AS ready_at,
           min(x.at) FILTER (WHERE x.type IN ('out_for_delivery', 'shipped')) AS handed_over_at,
           min(x.at) FILTER (WHERE x.type = 'delivered') AS delivered_at,
           min(x.at) FILTER (WHERE x.type = 'collected') AS collected_at
    FROM fulfillment_events x WHERE x.fulfillment_id = f.id) e ON true)`;

/**
 * When each order's fulfilment last changed (`order_id`, `last_change`): for a completed order, when
 * it was handed over or delivered. A FROM-clause fragment: `JOIN ${fulfilmentTimes} f ON f.order_id = o.id`.
 */
export const fulfilmentTimes = sql<{ order_id: string; last_change: Date }>`(
  SELECT order_id, max(updated_at) AS last_change FROM fulfillments GROUP BY order_id)`;
