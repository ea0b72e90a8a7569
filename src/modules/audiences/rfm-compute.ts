import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { countedCustomerRoots } from '../customers/public';
import { sales } from '../orders/public';
import { OTHER_SEGMENT, RFM_SEGMENT_CODES } from './rfm-segments';

/**
 * Memory for the run's hash aggregates and sorts (one row per customer): enough that a million
 * customers neither spill to disk nor turn the per-customer aggregate into an index scan. Set for
 * the run's transaction only, with JIT off (its compile time costs more than it saves here).
 */
const SCORING_WORK_MEM = '256MB';

/**
 * Scores every customer of a run (the definitions in README's RFM section): customers are counted
 * roots with a sale in (as_of − window, as_of]; each value is ranked ascending by (value,
 * customer_id in byte order, the same on every database) and binned `max(1, ceil(5·(rank−1)/(n−1)))`;
 * with n = 1 the lone customer takes the lowest rank's bin, 1 (so R = 5). The lifecycle stage
 * compares recency with the typical gap between purchases (lapsed, at_risk), else counts sales
 * (loyal, new, active); that gap, recorded on the run, is the median over people with repeat sales
 * of their mean gap, (last − first sale) / (sales − 1) in days. Returns the number of customers scored.
 *
 * The sales are first summed per customer id into a temporary table (a plain aggregate over the
 * orders, which PostgreSQL may run in parallel like any query; a statement that writes a table may
 * not). One INSERT then ranks, bins and writes the scores into the run's own partition of
 * rfm_scores, a new table whose key is built once it is full and which is then attached: no index
 * upkeep row by row, and a superseded run goes with DROP TABLE (dropSupersededScores).
 */
export async function scoreRun(
  db: Queryable,
  run: { id: string; asOf: Date; windowDays: number | null },
): Promise<number> {
  const part = scoresPartition(run.id);
  await sql`SELECT set_config('work_mem', ${SCORING_WORK_MEM}, true), set_config('jit', 'off', true)`.execute(db);
  await salesPerCustomer(run).execute(db);
  await sql`ANALYZE rfm_sales`.execute(db);
  await sql`CREATE TABLE ${part} (LIKE rfm_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    CHECK (run_id = ${sql.lit(run.id)}))`.execute(db);
  const r = await scoringStatement(run).execute(db);
  await sql`DROP TABLE rfm_sales`.execute(db);
  await sql`ALTER TABLE ${part} ADD PRIMARY KEY (run_id, customer_id)`.execute(db);
  await sql`ALTER TABLE rfm_scores ATTACH PARTITION ${part} FOR VALUES IN (${sql.lit(run.id)})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** The partition of rfm_scores that holds a run's scores (run ids are letters, digits and `_`). */
export function scoresPartition(runId: string) {
  if (!/^[a-z0-9_]+$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  return sql.table(`rfm_scores_${runId}`);
}

/** Each customer id's sales in the window (first, last, count, Σ net), into temporary table rfm_sales. */
export function salesPerCustomer(run: { asOf: Date; windowDays: number | null }) {
  const asOf = sql`${run.asOf.toISOString()}::timestamptz`;
  return sql`
    CREATE TEMPORARY TABLE rfm_sales ON COMMIT DROP AS
    SELECT customer_id, min(placed_at) AS first_sale, max(placed_at) AS last_sale, count(*)::int AS sales,
      sum(net)::bigint AS net
    FROM ${sales} s
    WHERE s.placed_at <= ${asOf}
      AND (${run.windowDays}::int IS NULL OR s.placed_at > ${asOf} - ${run.windowDays}::int * interval '24 hours')
    GROUP BY customer_id`;
}

/**
 * The segment of every code `rfm`, at index 25·(R−1) + 5·(F−1) + M (1-based, as SQL arrays are):
 * a subscript in the scoring statement rather than a join.
 */
function segmentByCodeIndex(): string[] {
  const bySlot = new Array<string>(125).fill(OTHER_SEGMENT);
  for (const [segment, list] of Object.entries(RFM_SEGMENT_CODES))
    for (const code of list.split(' ')) {
      const [r, f, m] = [...code].map(Number) as [number, number, number];
      bySlot[25 * (r - 1) + 5 * (f - 1) + m - 1] = segment;
    }
  return bySlot;
}

/**
 * `max(1, ceil(5·(rank−1)/(n−1)))` in integer arithmetic (rank ≥ 1, so the dividend is ≥ 0 and
 * ceil(a/b) = (a + b − 1) div b); n − 1 is taken as 1 when n = 1.
 */
const bin = (rank: string) =>
  sql.raw(`greatest(1, (5 * (${rank} - 1) + greatest(n - 1, 1) - 1) / greatest(n - 1, 1))::int`);

/** The statement that ranks, bins and writes the scores from rfm_sales into the run's partition (bench/rfm.ts EXPLAINs it). */
export function scoringStatement(run: { id: string; asOf: Date; windowDays: number | null }) {
  const asOf = sql`${run.asOf.toISOString()}::timestamptz`;
  // Merged members' sums are added up per root: one row per customer id joins, not one per order.
  return sql`
    WITH base AS (
      SELECT c.root AS customer_id, sum(s.sales)::int AS frequency, sum(s.net)::bigint AS monetary,
        floor(extract(epoch FROM ${asOf} - max(s.last_sale)) / 86400)::int AS recency_days,
        extract(epoch FROM max(s.last_sale) - min(s.first_sale)) / 86400 AS span_days
      FROM rfm_sales s JOIN ${countedCustomerRoots} c ON c.id = s.customer_id
      GROUP BY c.root
    ), typical AS (
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY span_days / (frequency - 1)) AS gap FROM base WHERE frequency > 1
    ), ranked AS (
      SELECT customer_id, recency_days, frequency, monetary, count(*) OVER () AS n,
        row_number() OVER (ORDER BY recency_days, customer_id COLLATE "C") AS r_rank,
        row_number() OVER (ORDER BY frequency, customer_id COLLATE "C") AS f_rank,
        row_number() OVER (ORDER BY monetary, customer_id COLLATE "C") AS m_rank
      FROM base
    ), scored AS (
      SELECT customer_id, recency_days, frequency, monetary,
        6 - ${bin('r_rank')} AS r, ${bin('f_rank')} AS f, ${bin('m_rank')} AS m
      FROM ranked
    ), noted AS (
      UPDATE rfm_runs SET typical_gap_days = (SELECT gap FROM typical) WHERE id = ${run.id}
    )
    INSERT INTO ${scoresPartition(run.id)} (run_id, customer_id, recency_days, frequency, monetary, r, f, m, rfm, segment, lifecycle)
    SELECT ${run.id}, s.customer_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m,
      s.r::text || s.f::text || s.m::text, (${segmentByCodeIndex()}::text[])[25 * (s.r - 1) + 5 * (s.f - 1) + s.m],
      CASE WHEN s.recency_days > run.lapsed_gaps * typical.gap THEN 'lapsed'
        WHEN s.recency_days > run.at_risk_gaps * typical.gap THEN 'at_risk'
        WHEN s.frequency >= run.loyal_orders THEN 'loyal'
        WHEN s.frequency = 1 THEN 'new'
        ELSE 'active' END
    FROM scored s CROSS JOIN typical
    JOIN rfm_runs run ON run.id = ${run.id}`;
}
