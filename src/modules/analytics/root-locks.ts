import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { byteOrder } from '../../platform/db/locks';

/**
 * Transaction-scoped advisory locks on these keys, in byte order, in one statement (the analytics
 * rollups' per-person and per-order locks, taken last in the dispatcher's transaction).
 */
export async function lockKeys(db: Queryable, keys: readonly string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort(byteOrder);
  if (sorted.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${sorted}::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n`.execute(
    db,
  );
}
