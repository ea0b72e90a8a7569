import { sql } from 'kysely';
import { registerErasureStep } from '../customers/public';

/**
 * Erased people leave every journey: their enrolments end (exited, reason `erased`), keep no
 * trigger payload and name the erasure's substitute instead of the customer, so the report's
 * counts stand and nothing links them back.
 */
registerErasureStep('journeys', async (tx, scope) => {
  let n = 0;
  for (const id of scope.ids) {
    const r =
      await sql`UPDATE journey_enrolments SET customer_id = ${scope.substitute.get(id) ?? id}, trigger = '{}'::jsonb,
        state = CASE WHEN state = 'active' THEN 'exited' ELSE state END,
        exit_reason = CASE WHEN state = 'active' THEN 'erased' ELSE exit_reason END,
        position = NULL, next_run_at = NULL, coupon_code = NULL, store_id = NULL, updated_at = now()
      WHERE customer_id = ${id}`.execute(tx);
    n += Number(r.numAffectedRows ?? 0);
  }
  return n;
});
