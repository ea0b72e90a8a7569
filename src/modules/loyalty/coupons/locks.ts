import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database';

/**
 * Rank 3 of the lock order (platform/db/locks.ts): these coupon rows, by code in "C" order
 * (canonical codes; unknown ones are skipped), for a write that follows.
 */
export async function lockCoupons(tx: Tx, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return;
  const unique = [...new Set(codes)];
  await sql`SELECT code FROM coupons WHERE code = ANY(${unique}::text[]) ORDER BY code COLLATE "C" FOR UPDATE`.execute(
    tx,
  );
}
