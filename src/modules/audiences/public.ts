import './tables';
import { sql } from 'kysely';
import { customerRoots } from '../customers/public';

/** What other modules (segments) may know of audiences beyond its routes: these, never the tables. */

export { LIFECYCLE_STAGES, RFM_SEGMENTS } from './rfm-segments';

/**
 * The scores of the latest done RFM run, one row per scored customer under its group's current
 * root (`root`, `r`, `f`, `m`, `segment`, `lifecycle`): scores are kept under the root at scoring
 * time, which a later merge may have folded into another group. No done run: no rows. A FROM-clause fragment.
 */
export const latestRfmScores = sql`(
  SELECT c.root, s.r, s.f, s.m, s.segment, s.lifecycle
  FROM rfm_scores s JOIN ${customerRoots} c ON c.id = s.customer_id
  WHERE s.run_id = (SELECT r.id FROM rfm_runs r WHERE r.status = 'done' ORDER BY r.finished_at DESC, r.id DESC LIMIT 1))`;

/** When the latest done RFM run finished (null: none yet): scores, segments and stages change only then. */
export const latestRfmRunFinishedAt = sql<{ at: Date | null }>`(
  SELECT max(r.finished_at) AS at FROM rfm_runs r WHERE r.status = 'done')`;
