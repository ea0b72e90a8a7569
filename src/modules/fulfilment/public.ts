import type { Queryable } from '../../platform/db/database';

/** What other modules may know of fulfilments beyond the service functions, never the tables. */

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
  return fs.map((f) => ({ ...f, lines: lines.filter((l) => l.fulfillment_id === f.id).map((l) => ({ sku: l.sku, qty: l.qty })) }));
}

/** One fulfilment with its lines (what a courier is asked to carry). */
export async function allocation(db: Queryable, id: string): Promise<Allocation> {
  const f = await db
    .selectFrom('fulfillments')
    .select(['id', 'order_id', 'location_id', 'type', 'speed', 'status', 'eta'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const lines = await db.selectFrom('fulfillment_lines').select(['sku', 'qty']).where('fulfillment_id', '=', id).execute();
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
