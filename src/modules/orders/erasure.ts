import { sql } from 'kysely';
import type { ErasureScope } from '../customers/public';
import type { Tx } from '../../platform/db/database';

/** An erased person's orders stay as anonymous sales: no customer, no address, no note; returns' reasons scrubbed. */
export async function anonymiseOrders(tx: Tx, scope: ErasureScope): Promise<number> {
  const orderIds: string[] = [];
  for (const [id, sub] of scope.substitute) {
    const rows = await sql<{ id: string }>`
      UPDATE orders SET customer_id = ${sub}, address_enc = NULL, address_key = NULL, delivery_lat = NULL, delivery_lng = NULL, note = NULL,
        routing = CASE WHEN fulfillment_type = 'delivery' THEN NULL ELSE routing END, updated_at = now()
      WHERE customer_id = ${id} RETURNING id`.execute(tx);
    orderIds.push(...rows.rows.map((o) => o.id));
  }
  if (orderIds.length) {
    const returns = await tx
      .selectFrom('order_returns')
      .select(['id', 'reason'])
      .where('order_id', 'in', orderIds)
      .execute();
    for (const ret of returns) {
      const reason = scope.scrubText(ret.reason);
      if (reason !== ret.reason)
        await tx.updateTable('order_returns').set({ reason }).where('id', '=', ret.id).execute();
    }
  }
  return orderIds.length;
}
