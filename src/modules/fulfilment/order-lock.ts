import type { Tx } from '../../platform/db/database';
import { lockOrderRow } from '../orders/locks';

/**
 * Rank 1 of the lock order (platform/db/locks.ts): the order row of this fulfilment, taken before
 * the fulfilment or its courier job as cancel and pay take them. Nothing when there is none.
 */
export async function lockOrderOfFulfilment(tx: Tx, id: string): Promise<void> {
  const f = await tx.selectFrom('fulfillments').select('order_id').where('id', '=', id).executeTakeFirst();
  if (f) await lockOrderRow(tx, f.order_id, ['id']);
}
