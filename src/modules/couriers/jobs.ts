import type { Tx } from '../../platform/db/database';
import { newId } from '../../platform/ids';

/** Courier jobs are written here (and by the worker and callbacks); orders ask through these. */

/** Queues a job per fulfilment for the courier adapter; the worker sends them. */
export async function queueCourierJobs(
  tx: Tx,
  adapter: string,
  fulfilmentIds: readonly string[],
  now: Date,
): Promise<void> {
  if (fulfilmentIds.length === 0) return;
  await tx
    .insertInto('courier_jobs')
    .values(
      fulfilmentIds.map((id) => ({
        id: newId('cj', now.getTime()),
        fulfillment_id: id,
        adapter,
        external_id: null,
        last_error: null,
      })),
    )
    .execute();
}

/** The order was cancelled: its jobs not yet done are called off. */
export async function cancelCourierJobs(tx: Tx, fulfilmentIds: readonly string[], now: Date): Promise<void> {
  if (fulfilmentIds.length === 0) return;
  await tx
    .updateTable('courier_jobs')
    .set({ status: 'cancelled', updated_at: now })
    .where('fulfillment_id', 'in', fulfilmentIds)
    .where('status', 'in', ['pending', 'sent', 'accepted'])
    .execute();
}
