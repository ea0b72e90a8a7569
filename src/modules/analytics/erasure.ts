import { sql } from 'kysely';
import { registerErasureStep, type ErasureScope } from '../customers/public';
import type { Tx } from '../../platform/db/database';

/**
 * An erased person's buyer-days stay (the figures count them as they were) under the random
 * substitutes their orders now carry, so no rollup row names them.
 */
async function substituteBuyers(tx: Tx, scope: ErasureScope): Promise<number> {
  let touched = 0;
  for (const [id, sub] of scope.substitute) {
    const byId = await sql`UPDATE analytics_buyers_daily SET customer_id = ${sub} WHERE customer_id = ${id}`.execute(
      tx,
    );
    const byRoot = await sql`UPDATE analytics_buyers_daily SET root = ${sub} WHERE root = ${id}`.execute(tx);
    touched += Number(byId.numAffectedRows ?? 0) + Number(byRoot.numAffectedRows ?? 0);
  }
  return touched;
}

registerErasureStep('analytics', substituteBuyers);
