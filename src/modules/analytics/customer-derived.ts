/**
 * Tables derived per person from analytics_customer_daily (migrations 2980, 2981): sale steps (buyers,
 * repeaters and cross-channel buyers of any range), cohort days and cross days (the cross-channel
 * buyers' sums). Each person's rows are a function of their customer-days alone, so a batch
 * recomputes them for the people it touched and adds after − before (batches of other people
 * commute with it). The caller holds the people's locks (lockCustomerRoots).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { lockKeys } from './root-locks';

/** "No earlier sale" in back_day. */
const NONE = '0001-01-01';

/** Each person's days: sales (orders), net sales and whether they bought online / in store that day. */
function personDays(roots: string[] | null): RawBuilder<unknown> {
  return sql`
    SELECT root, day, sum(orders)::int AS orders, sum(gross_sales - discounts - refunds) AS net,
           sum(gross_sales - discounts) AS paid, bool_or(channel_group = 'online' AND orders > 0) AS online, bool_or(channel_group = 'store' AND orders > 0) AS store
    FROM analytics_customer_daily ${roots ? sql`WHERE root = ANY(${roots}::text[])` : sql``}
    GROUP BY root, day`;
}

/**
 * analytics_customer_steps' rows of these people (all: null): their sales (o1, o2), and their sale
 * days online and in store, each with the one before in the same group.
 */
function stepRows(roots: string[] | null): RawBuilder<unknown> {
  return sql`
    SELECT v.kind, x.day, v.back_day, count(*)::int AS n
    FROM (
      SELECT e.day, lag(e.day) OVER w AS b1, lag(e.day, 2) OVER w AS b2
      FROM (SELECT p.root, p.day FROM (${personDays(roots)}) p CROSS JOIN LATERAL generate_series(1, p.orders) g
            WHERE p.orders > 0) e
      WINDOW w AS (PARTITION BY e.root ORDER BY e.day)) x
    CROSS JOIN LATERAL (VALUES ('o1', coalesce(x.b1, ${NONE}::date)),
                               ('o2', CASE WHEN x.b1 IS NOT NULL THEN coalesce(x.b2, ${NONE}::date) END)) AS v(kind, back_day)
    WHERE v.back_day IS NOT NULL
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT grp, day, back_day, count(*)::int FROM (
      SELECT g.grp, p.day, coalesce(lag(p.day) OVER (PARTITION BY p.root, g.grp ORDER BY p.day), ${NONE}::date) AS back_day
      FROM (${personDays(roots)}) p
      CROSS JOIN LATERAL (VALUES ('online', p.online), ('store', p.store)) AS g(grp, bought) WHERE g.bought) y
    GROUP BY 1, 2, 3`;
}

/** analytics_cohort_days' rows of these people (all: null). */
function cohortRows(roots: string[] | null): RawBuilder<unknown> {
  return sql`
    SELECT period, first_day, day, count(*) FILTER (WHERE orders > 0 AND day = period_first)::int AS active,
           sum(net)::bigint AS net
    FROM (
      SELECT k.period, p.day, p.orders, p.net,
             min(p.day) FILTER (WHERE p.orders > 0) OVER (PARTITION BY k.period, p.root) AS first_day,
             min(p.day) FILTER (WHERE p.orders > 0) OVER (PARTITION BY k.period, p.root, date_trunc(k.period, p.day)) AS period_first
      FROM (${personDays(roots)}) p CROSS JOIN (VALUES ('week'), ('month')) AS k(period)) x
    WHERE first_day IS NOT NULL AND day >= first_day
    GROUP BY 1, 2, 3
    HAVING count(*) FILTER (WHERE orders > 0 AND day = period_first) <> 0 OR sum(net) <> 0`;
}

/** analytics_customer_cross_days' rows of these people (all: null). */
function crossRows(roots: string[] | null): RawBuilder<unknown> {
  const other = (when: string) =>
    sql.raw(`CASE WHEN online AND NOT store THEN ${when.replace('$', 'store')}
                  WHEN store AND NOT online THEN ${when.replace('$', 'online')} END`);
  return sql`
    SELECT v.kind, x.day, v.before_day, v.after_day, sum(x.orders)::int AS orders, sum(x.net)::bigint AS net,
           sum(x.paid)::bigint AS paid
    FROM (
      SELECT day, orders, net, paid, online AND store AS both,
             ${other('max(CASE WHEN $ THEN day END) OVER wb')} AS b, ${other('min(CASE WHEN $ THEN day END) OVER wa')} AS a
      FROM (${personDays(roots)}) p
      WINDOW wb AS (PARTITION BY root ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
             wa AS (PARTITION BY root ORDER BY day ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)) x
    CROSS JOIN LATERAL (VALUES ('both', ${NONE}::date, ${NONE}::date, x.both),
                               ('before', x.b, ${NONE}::date, x.b IS NOT NULL),
                               ('after', ${NONE}::date, x.a, x.a IS NOT NULL),
                               ('sandwich', x.b, x.a, x.b IS NOT NULL AND x.a IS NOT NULL)) AS v(kind, before_day, after_day, keep)
    WHERE x.orders > 0 AND v.keep
    GROUP BY 1, 2, 3, 4`;
}

/** An additive derived table: its key columns (with SQL types), measures and rows per person. */
interface Additive {
  table: 'analytics_customer_steps' | 'analytics_cohort_days' | 'analytics_customer_cross_days';
  keys: readonly [string, string][];
  measures: readonly string[];
  rows: (roots: string[] | null) => RawBuilder<unknown>;
}

const ADDITIVE: readonly Additive[] = [
  {
    table: 'analytics_customer_steps',
    keys: [
      ['kind', 'text'],
      ['day', 'date'],
      ['back_day', 'date'],
    ],
    measures: ['n'],
    rows: stepRows,
  },
  {
    table: 'analytics_cohort_days',
    keys: [
      ['period', 'text'],
      ['first_day', 'date'],
      ['day', 'date'],
    ],
    measures: ['active', 'net'],
    rows: cohortRows,
  },
  {
    table: 'analytics_customer_cross_days',
    keys: [
      ['kind', 'text'],
      ['day', 'date'],
      ['before_day', 'date'],
      ['after_day', 'date'],
    ],
    measures: ['orders', 'net', 'paid'],
    rows: crossRows,
  },
];

type Snapshot = Map<string, number[]>[];

/** The additive tables' rows of these people, by key (JSON of the key values). */
export async function snapshotPeople(db: Queryable, roots: string[]): Promise<Snapshot> {
  return Promise.all(
    ADDITIVE.map(async (t) => {
      const cols = t.keys.map(([k, type]) => sql.raw(type === 'date' ? `${k}::text AS ${k}` : k));
      const rows = await sql<Record<string, string | number>>`
        SELECT ${sql.join(cols)}, ${sql.join(t.measures.map((m) => sql`${sql.ref(m)}::text AS ${sql.ref(m)}`))}
        FROM (${t.rows(roots)}) x`.execute(db);
      return new Map(
        rows.rows.map((r) => [JSON.stringify(t.keys.map(([k]) => r[k])), t.measures.map((m) => Number(r[m]))]),
      );
    }),
  );
}

/** Adds after − before (snapshots of the same people) to the additive tables; zero rows are deleted. */
export async function applyPeopleDelta(db: Queryable, before: Snapshot, after: Snapshot): Promise<void> {
  for (const [i, t] of ADDITIVE.entries()) {
    const delta = new Map(after[i]);
    for (const [k, v] of before[i])
      delta.set(
        k,
        (delta.get(k) ?? t.measures.map(() => 0)).map((x, j) => x - v[j]),
      );
    const rows = [...delta]
      .filter(([, v]) => v.some((x) => x !== 0))
      .map(([k, v]) => {
        const key = JSON.parse(k) as string[];
        return Object.fromEntries([...t.keys.map(([c], j) => [c, key[j]]), ...t.measures.map((m, j) => [m, v[j]])]);
      });
    if (rows.length === 0) continue;
    const keyCols = sql.join(t.keys.map(([k]) => sql.ref(k)));
    const all = sql.join([...t.keys.map(([k]) => sql.ref(k)), ...t.measures.map((m) => sql.ref(m))]);
    const types = sql.raw(
      [...t.keys.map(([k, type]) => `${k} ${type}`), ...t.measures.map((m) => `${m} bigint`)].join(', '),
    );
    const zero = sql.join(
      t.measures.map((m) => sql`t.${sql.ref(m)} = 0`),
      sql` AND `,
    );
    const by = sql.raw(t.keys.map((_, j) => String(j + 1)).join(', '));
    // In key order, so that batches of several processes wait for one another without a cycle.
    await sql`
      INSERT INTO ${sql.table(t.table)} AS t (${all})
      SELECT ${all} FROM json_to_recordset(${JSON.stringify(rows)}::json) AS z(${types}) ORDER BY ${by}
      ON CONFLICT (${keyCols}) DO UPDATE SET ${sql.join(t.measures.map((m) => sql`${sql.ref(m)} = t.${sql.ref(m)} + excluded.${sql.ref(m)}`))}`.execute(
      db,
    );
    const same = sql.join(
      t.keys.map(([k]) => sql`t.${sql.ref(k)} = z.${sql.ref(k)}`),
      sql` AND `,
    );
    await sql`DELETE FROM ${sql.table(t.table)} t USING json_to_recordset(${JSON.stringify(rows)}::json) AS z(${types})
      WHERE ${same} AND ${zero}`.execute(db);
  }
}

/**
 * Recomputes every derived table and the day sums from analytics_customer_daily (the rebuild; run
 * alone, it fills them after migration 2980), in key order.
 */
export async function rebuildPeopleTables(db: Queryable): Promise<void> {
  await sql`DELETE FROM analytics_customer_day_sums`.execute(db);
  await sql`INSERT INTO analytics_customer_day_sums (day, gross_sales, discounts, refunds, orders)
    SELECT day, sum(gross_sales), sum(discounts), sum(refunds), sum(orders) FROM analytics_customer_daily
    GROUP BY day HAVING sum(gross_sales) <> 0 OR sum(discounts) <> 0 OR sum(refunds) <> 0 OR sum(orders) <> 0
    ORDER BY day`.execute(db);
  for (const t of ADDITIVE) {
    await sql`DELETE FROM ${sql.table(t.table)}`.execute(db);
    const cols = sql.join([...t.keys.map(([k]) => sql.ref(k)), ...t.measures.map((m) => sql.ref(m))]);
    const by = sql.raw(t.keys.map((_, j) => String(j + 1)).join(', '));
    await sql`INSERT INTO ${sql.table(t.table)} (${cols}) SELECT ${cols} FROM (${t.rows(null)}) x ORDER BY ${by}`.execute(
      db,
    );
  }
}

/**
 * The people's advisory locks `analytics.customer:<root>` (byte order, one statement), taken last in
 * the dispatcher's transaction before their derived rows are read: batches of the same person take
 * turns, so each one's before and after are consecutive states.
 */
export async function lockCustomerRoots(db: Queryable, roots: string[]): Promise<void> {
  await lockKeys(
    db,
    roots.map((r) => `analytics.customer:${r}`),
  );
}
