import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database';
import { AppError } from '../../../platform/http/errors';
import { issueCoupon } from '../coupons/service';

export type GrantResult = { template_id: string; code: string } | { template_id: string; error: string };

/**
 * Issues a coupon as a benefit (tier reached, referral reward). A coupon that cannot be issued
 * (budget used up, template ended) must not undo the order that earned it: the attempt runs in a
 * savepoint and the problem is returned instead of thrown.
 */
export async function grantCoupon(
  tx: Tx,
  input: { template_id: string; customer_id: string; via: 'tier' | 'referral'; now: Date },
): Promise<GrantResult> {
  await sql`SAVEPOINT loyalty_grant`.execute(tx);
  try {
    const r = await issueCoupon(tx, input);
    await sql`RELEASE SAVEPOINT loyalty_grant`.execute(tx);
    return { template_id: input.template_id, code: r.code };
  } catch (e) {
    await sql`ROLLBACK TO SAVEPOINT loyalty_grant`.execute(tx);
    if (e instanceof AppError) return { template_id: input.template_id, error: e.code };
    throw e;
  }
}
