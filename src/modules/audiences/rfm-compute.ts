import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { countedRoots, mergedCustomers } from '../customers/public';
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
 * The sales are summed per customer id and joined to the counted roots into temporary table
 * rfm_people in one statement (a plain aggregate, which PostgreSQL may run in parallel like any
 * query; a statement that writes a lasting table may not); merged members' sales (few) are then
 * added to their root's row. No customer is sorted: a bin is decided by the four customers at its
 * boundaries (binThresholds), found from one sort of each value column's values alone, so one
 * INSERT bins by comparison and writes the scores into the run's own partition of rfm_scores, a new
 * table whose key is built once it is full and which is then attached: no index upkeep row by row,
 * and a superseded run goes with DROP TABLE (dropSupersededScores).
 * `onStep` hears each step's name once it is done (bench/rfm.ts times them).
 */
export async function scoreRun(
  db: Queryable,
  run: { id: string; asOf: Date; windowDays: number | null },
  onStep: (step: string) => void = () => {},
): Promise<number> {
  const part = scoresPartition(run.id);
  await sql`SELECT set_config('work_mem', ${SCORING_WORK_MEM}, true), set_config('jit', 'off', true)`.execute(db);
  await salesPerCustomer(run).execute(db);
  onStep('sales per person');
  await mergedIntoRoots(run).execute(db);
  onStep('merged groups');
  const { n, thresholds } = await binThresholds(db, run.id);
  onStep('bin thresholds');
  await sql`CREATE TABLE ${part} (LIKE rfm_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    CHECK (run_id = ${sql.lit(run.id)}))`.execute(db);
  if (n > 0) await scoringStatement(run, thresholds).execute(db);
  await sql`DROP TABLE rfm_people`.execute(db);
  onStep('scores written');
  await sql`ALTER TABLE ${part} ADD PRIMARY KEY (run_id, customer_id)`.execute(db);
  await sql`ALTER TABLE rfm_scores ATTACH PARTITION ${part} FOR VALUES IN (${sql.lit(run.id)})`.execute(db);
  onStep('key built, partition attached');
  return n;
}

/** The partition of rfm_scores that holds a run's scores (run ids are letters, digits and `_`). */
export function scoresPartition(runId: string) {
  if (!/^[a-z0-9_]+$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  return sql.table(`rfm_scores_${runId}`);
}

/**
 * Each counted person's sales in the window into temporary table rfm_people (customer_id,
 * first_sale, last_sale, frequency, monetary, recency_days, span_days): the orders summed per
 * customer id and joined to the counted roots in one statement (a plain aggregate and join, which
 * PostgreSQL may run in parallel like any query; a statement that writes a lasting table may not).
 */
export function salesPerCustomer(run: { asOf: Date; windowDays: number | null }) {
  return sql`
    CREATE TEMPORARY TABLE rfm_people ON COMMIT DROP AS
    SELECT s.customer_id, s.first_sale, s.last_sale, s.frequency, s.monetary, ${derived(run)}
    FROM (
      SELECT customer_id, min(placed_at) AS first_sale, max(placed_at) AS last_sale, count(*)::int AS frequency,
        sum(net)::bigint AS monetary
      FROM ${sales} s WHERE ${inWindow(run)}
      GROUP BY customer_id
    ) s JOIN ${countedRoots} r ON r.id = s.customer_id`;
}

function inWindow(run: { asOf: Date; windowDays: number | null }) {
  const asOf = sql`${run.asOf.toISOString()}::timestamptz`;
  return sql`s.placed_at <= ${asOf}
      AND (${run.windowDays}::int IS NULL OR s.placed_at > ${asOf} - ${run.windowDays}::int * interval '24 hours')`;
}

/** recency_days and span_days of a row `s` with first_sale and last_sale. */
function derived(run: { asOf: Date }) {
  const asOf = sql`${run.asOf.toISOString()}::timestamptz`;
  return sql`floor(extract(epoch FROM ${asOf} - s.last_sale) / 86400)::int AS recency_days,
      extract(epoch FROM s.last_sale - s.first_sale) / 86400 AS span_days`;
}

/**
 * Merged members' sales in the window, added to their root's row of rfm_people (or making one when
 * the root has none): a group counts once, as its root. Merged members are few (an index finds them,
 * another their orders), so this touches a handful of rows.
 */
export function mergedIntoRoots(run: { asOf: Date; windowDays: number | null }) {
  return sql`
    WITH members AS (
      SELECT m.root, min(s.placed_at) AS first_sale, max(s.placed_at) AS last_sale, count(*)::int AS frequency,
        sum(s.net)::bigint AS monetary
      FROM ${mergedCustomers} m JOIN ${sales} s ON s.customer_id = m.id
      WHERE ${inWindow(run)}
      GROUP BY m.root
    ), own AS (
      DELETE FROM rfm_people p USING members m WHERE p.customer_id = m.root RETURNING p.*
    )
    INSERT INTO rfm_people (customer_id, first_sale, last_sale, frequency, monetary, recency_days, span_days)
    SELECT s.customer_id, s.first_sale, s.last_sale, s.frequency, s.monetary, ${derived(run)} FROM (
      SELECT m.root AS customer_id, least(m.first_sale, o.first_sale) AS first_sale,
        greatest(m.last_sale, o.last_sale) AS last_sale, m.frequency + coalesce(o.frequency, 0) AS frequency,
        m.monetary + coalesce(o.monetary, 0) AS monetary
      FROM members m LEFT JOIN own o ON o.customer_id = m.root) s`;
}

/** The value columns ranked, and how a score is read from a bin: R is reversed (the most recent get 5). */
const RANKED = ['recency_days', 'frequency', 'monetary'] as const;
type Ranked = (typeof RANKED)[number];

/** The customer at a bin's upper boundary: ranks above this one's are in a higher bin. */
export interface Boundary {
  value: string;
  customer_id: string;
}

/**
 * With ranks 1..n, `max(1, ceil(5·(rank−1)/(n−1)))` = 1 + the number of b in 1..4 with rank >
 * t_b = floor(b·(n−1)/5) + 1 (for n = 1 every t_b is 1: the lone customer is in bin 1). So a
 * customer's bin is 1 + how many of the four customers ranked t_1..t_4 sort before them by (value,
 * customer_id in byte order). Those four are found per value column: the values at ranks t_b by
 * percentile_disc((t_b − ½)/n) (one sort of the column's values alone; the rank it picks is
 * ceil(t_b − ½ ± rounding) = t_b exactly), then, among the customers with that value, the one at
 * rank t_b − #(smaller values) by customer id: only the few groups of equal values at a boundary
 * are ordered by id. Also the typical gap (median of span_days / (frequency − 1) over repeat buyers),
 * recorded on the run.
 */
export async function binThresholds(
  db: Queryable,
  runId: string,
): Promise<{ n: number; thresholds: Record<Ranked, Boundary[]> }> {
  const count = await sql<{ n: string }>`SELECT count(*) AS n FROM rfm_people`.execute(db);
  const n = Number(count.rows[0]!.n);
  const ranks = [1, 2, 3, 4].map((b) => Math.floor((b * (n - 1)) / 5) + 1);
  const thresholds = { recency_days: [], frequency: [], monetary: [] } as Record<Ranked, Boundary[]>;
  if (n === 0) {
    await sql`UPDATE rfm_runs SET typical_gap_days = NULL WHERE id = ${runId}`.execute(db);
    return { n, thresholds };
  }
  const fractions = ranks.map((t) => (t - 0.5) / n);
  const values = await sql<Record<Ranked, string[]>>`
    WITH q AS (
      SELECT ${sql.join(
        RANKED.map(
          (col) =>
            sql`percentile_disc(${fractions}::float8[]) WITHIN GROUP (ORDER BY ${sql.ref(col)})::text[] AS ${sql.ref(col)}`,
        ),
      )},
        percentile_cont(0.5) WITHIN GROUP (ORDER BY span_days / (frequency - 1)) FILTER (WHERE frequency > 1) AS gap
      FROM rfm_people
    ), noted AS (
      UPDATE rfm_runs SET typical_gap_days = (SELECT gap FROM q) WHERE id = ${runId}
    )
    SELECT ${sql.join(RANKED.map((col) => sql.ref(col)))} FROM q`.execute(db);
  const at = values.rows[0]!;
  // how many customers have a value below each boundary value: the boundary's rank among its equals
  const below = await sql<Record<string, string>>`SELECT ${sql.join(
    RANKED.flatMap((col) =>
      ranks.map(
        (_, b) =>
          sql`count(*) FILTER (WHERE ${sql.ref(col)} < ${String(at[col][b])}::bigint) AS ${sql.ref(`${col}_${b}`)}`,
      ),
    ),
  )} FROM rfm_people`.execute(db);
  const wanted = RANKED.flatMap((col) =>
    ranks.map((t, b) => ({ col, b, value: String(at[col][b]), k: t - Number(below.rows[0]![`${col}_${b}`]) })),
  );
  // the customers with a boundary value, numbered by id within their column and value
  const ids = await sql<{ col: Ranked; value: string; k: string; customer_id: string }>`
    SELECT col, value, k, customer_id FROM (
      SELECT col, value::text, customer_id, row_number() OVER (PARTITION BY col, value ORDER BY customer_id COLLATE "C") AS k
      FROM (${sql.join(
        RANKED.map(
          (col) =>
            sql`SELECT ${col}::text AS col, ${sql.ref(col)}::bigint AS value, customer_id FROM rfm_people
              WHERE ${sql.ref(col)} = ANY(${[...new Set(wanted.filter((w) => w.col === col).map((w) => w.value))]}::bigint[])`,
        ),
        sql` UNION ALL `,
      )}) v
    ) numbered
    WHERE (col, value, k) IN (${sql.join(wanted.map((w) => sql`(${w.col}::text, ${w.value}::text, ${w.k}::bigint)`))})`.execute(
    db,
  );
  const idOf = new Map(ids.rows.map((r) => [`${r.col}|${r.value}|${r.k}`, r.customer_id]));
  for (const w of wanted) {
    const id = idOf.get(`${w.col}|${w.value}|${w.k}`);
    if (id === undefined) throw new Error(`RFM: no customer at rank ${ranks[w.b]} of ${w.col}`);
    thresholds[w.col].push({ value: w.value, customer_id: id });
  }
  return { n, thresholds };
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

/** 1 + how many of the four boundary customers sort before this one by (value, customer_id in byte order). */
function bin(col: Ranked, boundaries: Boundary[]) {
  return sql`(1 + ${sql.join(
    boundaries.map(
      (e) =>
        sql`(${sql.ref(col)} > ${e.value}::bigint OR (${sql.ref(col)} = ${e.value}::bigint AND customer_id COLLATE "C" > ${e.customer_id}::text COLLATE "C"))::int`,
    ),
    sql` + `,
  )})`;
}

/** The statement that bins and writes the scores from rfm_people into the run's partition (bench/rfm.ts EXPLAINs it). */
export function scoringStatement(run: { id: string }, thresholds: Record<Ranked, Boundary[]>) {
  return sql`
    WITH scored AS (
      SELECT customer_id, recency_days, frequency, monetary,
        6 - ${bin('recency_days', thresholds.recency_days)} AS r, ${bin('frequency', thresholds.frequency)} AS f,
        ${bin('monetary', thresholds.monetary)} AS m
      FROM rfm_people
    )
    INSERT INTO ${scoresPartition(run.id)} (run_id, customer_id, recency_days, frequency, monetary, r, f, m, rfm, segment, lifecycle)
    SELECT ${run.id}, s.customer_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m,
      s.r::text || s.f::text || s.m::text, (${segmentByCodeIndex()}::text[])[25 * (s.r - 1) + 5 * (s.f - 1) + s.m],
      CASE WHEN s.recency_days > run.lapsed_gaps * run.typical_gap_days THEN 'lapsed'
        WHEN s.recency_days > run.at_risk_gaps * run.typical_gap_days THEN 'at_risk'
        WHEN s.frequency >= run.loyal_orders THEN 'loyal'
        WHEN s.frequency = 1 THEN 'new'
        ELSE 'active' END
    FROM scored s CROSS JOIN rfm_runs run WHERE run.id = ${run.id}`;
}
