import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database';
import { lockCoupons } from './locks';
import type { CouponStatus } from './tables';

/**
 * Voids a coupon whose payment was refunded (a pre-sale's deposit): one still unspent (issued or
 * expired) becomes `void`, and can no longer be redeemed. A spent one stays redeemed: the caller
 * learns it from the answer, the status the coupon ends with (null: no such coupon). Takes the
 * coupon's row lock (rank 3, locks.ts); the caller takes no ranked lock after it.
 */
export async function voidCoupon(tx: Tx, code: string, now: Date): Promise<CouponStatus | null> {
  await lockCoupons(tx, [code]);
  const r = await sql<{ status: CouponStatus }>`SELECT status FROM coupons WHERE code = ${code}`.execute(tx);
  const status = r.rows[0]?.status ?? null;
  if (status !== 'issued' && status !== 'expired') return status;
  await sql`UPDATE coupons SET status = 'void', updated_at = ${now.toISOString()}::timestamptz WHERE code = ${code}`.execute(
    tx,
  );
  return 'void';
}
