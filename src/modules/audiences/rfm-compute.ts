import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { countedCustomerRoots } from '../customers/public';
import { sales } from '../orders/public';
import { OTHER_SEGMENT, segmentMapArrays } from './rfm-segments';

/**
 * Scores every customer of a run in one statement (the definitions in README's RFM section):
 * customers are counted roots with a sale in (as_of − window, as_of]; each value is ranked
 * ascending by (value, customer_id in byte order, the same on every database) and binned `max(1, ceil(5·(rank−1)/(n−1)))`; with n = 1 the
 * lone customer takes the lowest rank's bin, 1 (so R = 5). The lifecycle stage compares recency with
 * the typical gap between purchases (lapsed, at_risk), else counts sales (loyal, new, active); that
 * gap, recorded on the run, is the median over people with repeat sales of their mean gap,
 * (last − first sale) / (sales − 1) in days. Returns the number of customers scored.
 */
export async function scoreRun(
  db: Queryable,
  run: { id: string; asOf: Date; windowDays: number | null },
): Promise<number> {
  const { codes, segments } = segmentMapArrays();
  const asOf = sql`${run.asOf.toISOString()}::timestamptz`;
  const inWindow = sql`s.placed_at <= ${asOf}
    AND (${run.windowDays}::int IS NULL OR s.placed_at > ${asOf} - ${run.windowDays}::int * interval '24 hours')`;
  const bin = (rank: string) => sql.raw(`greatest(1, ceil(5 * (${rank} - 1)::numeric / greatest(n - 1, 1)))::int`);
  // Sales are summed per customer id before the join to roots: the join then sees one row per
  // customer, not one per order; merged members' sums are added up per root.
  const r = await sql`
    WITH per_id AS (
      SELECT customer_id, min(placed_at) AS first_sale, max(placed_at) AS last_sale, count(*) AS sales, sum(net) AS net
      FROM ${sales} s
      WHERE ${inWindow}
      GROUP BY customer_id
    ), base AS (
      SELECT c.root AS customer_id, sum(s.sales)::int AS frequency, sum(s.net)::bigint AS monetary,
        floor(extract(epoch FROM ${asOf} - max(s.last_sale)) / 86400)::int AS recency_days,
        extract(epoch FROM max(s.last_sale) - min(s.first_sale)) / 86400 AS span_days
      FROM per_id s JOIN ${countedCustomerRoots} c ON c.id = s.customer_id
      GROUP BY c.root
    ), typical AS (
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY span_days / (frequency - 1)) AS gap FROM base WHERE frequency > 1
    ), ranked AS (
      SELECT *, count(*) OVER () AS n,
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
    INSERT INTO rfm_scores (run_id, customer_id, recency_days, frequency, monetary, r, f, m, rfm, segment, lifecycle)
    SELECT ${run.id}, s.customer_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m,
      s.r::text || s.f::text || s.m::text, coalesce(map.segment, ${OTHER_SEGMENT}),
      CASE WHEN s.recency_days > run.lapsed_gaps * typical.gap THEN 'lapsed'
        WHEN s.recency_days > run.at_risk_gaps * typical.gap THEN 'at_risk'
        WHEN s.frequency >= run.loyal_orders THEN 'loyal'
        WHEN s.frequency = 1 THEN 'new'
        ELSE 'active' END
    FROM scored s CROSS JOIN typical
    JOIN rfm_runs run ON run.id = ${run.id}
    LEFT JOIN unnest(${codes}::text[], ${segments}::text[]) AS map(code, segment)
      ON map.code = s.r::text || s.f::text || s.m::text`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
