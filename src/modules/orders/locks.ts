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
