import './tables';
import { sql } from 'kysely';
import type { Queryable } from '../../../platform/db/database';

const EVERY_MS = 30_000;
let lastRun = 0;

/**
 * Marks issued coupons whose validity has ended as expired, in batches. Reads never depend on it
 * (validity is checked against valid_to everywhere); it keeps statuses and reports honest.
 */
export async function expireCoupons(db: Queryable, now = new Date(), batch = 1000): Promise<number> {
  const r = await sql`
    UPDATE coupons SET status = 'expired', updated_at = ${now}
    WHERE code IN (SELECT code FROM coupons WHERE status = 'issued' AND valid_to <= ${now} ORDER BY valid_to LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      AND status = 'issued'`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The periodic task: at most every 30 s per process. */
export async function expireCouponsTask(db: Queryable): Promise<void> {
  if (Date.now() - lastRun < EVERY_MS) return;
  lastRun = Date.now();
  while ((await expireCoupons(db)) === 1000) {
    /* next batch */
  }
}
