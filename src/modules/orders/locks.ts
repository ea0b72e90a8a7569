import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { DB } from '../../platform/db/schema';

/** Rank 1 of the lock order (platform/db/locks.ts): order rows, by id in "C" order. */

/** One order row, locked, with the columns asked for; undefined when there is none. */
export async function lockOrderRow<C extends keyof DB['orders'] & string>(tx: Tx, id: string, columns: readonly C[]) {
  return tx.selectFrom('orders').select(columns).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Every order of these customers (a person's erasure rewrites them all). */
export async function lockOrdersOf(tx: Tx, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  const ids = [...customerIds];
  await sql`SELECT id FROM orders WHERE customer_id = ANY(${ids}::text[]) ORDER BY id COLLATE "C" FOR UPDATE`.execute(
    tx,
  );
}

/** These orders, locked by id in "C" order; their statuses by id (an id with no order is left out). */
export async function lockOrders(tx: Tx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: string; status: string }>`
    SELECT id, status FROM orders WHERE id = ANY(${[...ids]}::text[]) ORDER BY id COLLATE "C" FOR UPDATE`.execute(tx);
  return new Map(rows.rows.map((r) => [r.id, r.status]));
}
