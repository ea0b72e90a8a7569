import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { registerErasureStep, type ErasureScope } from '../customers/public';

/**
 * An erased person's customer-days and first-sale day stay (the figures count them as they were)
 * under the random substitutes their orders now carry, so no rollup row names them.
 */
async function substituteCustomerRollups(tx: Tx, scope: ErasureScope): Promise<number> {
  let touched = 0;
  for (const [id, sub] of scope.substitute) {
    const byId = await sql`UPDATE analytics_customer_daily SET customer_id = ${sub} WHERE customer_id = ${id}`.execute(
      tx,
    );
    const byRoot = await sql`UPDATE analytics_customer_daily SET root = ${sub} WHERE root = ${id}`.execute(tx);
    const first = await sql`UPDATE analytics_customer_firsts SET root = ${sub} WHERE root = ${id}`.execute(tx);
    touched += [byId, byRoot, first].reduce((n, r) => n + Number(r.numAffectedRows ?? 0), 0);
  }
  return touched;
}

registerErasureStep('analytics-customers', substituteCustomerRollups);
