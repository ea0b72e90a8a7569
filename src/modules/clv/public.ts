import { sql } from 'kysely';
import './tables';

/** What other modules may know of lifetime value: these fragments, never the tables. */

/**
 * Every scored person of the latest done CLV run, one row each under the group's root:
 * `(root, p_alive, expected_orders, expected_value)` — P(alive) a fraction in [0, 1], expected
 * orders over the run's horizon, expected value in fen. Empty before any run is done (then a rule
 * on it matches nobody). A FROM-clause fragment; alias it: `FROM ${clvFacts} v`.
 */
export const clvFacts = sql`(
  SELECT s.customer_id AS root, s.p_alive, s.expected_orders, s.expected_value FROM clv_scores s
  WHERE s.run_id = (SELECT id FROM clv_runs WHERE status = 'done' ORDER BY finished_at DESC, id DESC LIMIT 1))`;

/** When the latest done CLV run finished (null: none yet): predictions change only then. */
export const latestClvRunFinishedAt = sql<{ at: Date | null }>`(
  SELECT max(r.finished_at) AS at FROM clv_runs r WHERE r.status = 'done')`;
