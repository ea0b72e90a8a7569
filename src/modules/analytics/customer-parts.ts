/**
 * The parts of the customers report (customers.ts), each one query over the tables derived from the
 * customer rollups (customer-derived.ts, migrations 2980–2981), per period and for the whole range
 * (key ''): steps (buyers, repeaters, cross-channel buyers), day sums, the cross-channel buyers'
 * sums, returns of people who did not buy, new buyers.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { CustomerGroupBy } from './customers';

/** The first day of a period (a date column), for grouping; null = the whole range (one group). */
export function periodStart(groupBy: CustomerGroupBy, col: RawBuilder<unknown>): RawBuilder<string> {
  if (groupBy === 'day') return sql<string>`${col}`;
  return sql<string>`date_trunc(${groupBy}, ${col})::date`;
}

/** A period's key (periodKey) from its first day as YYYY-MM-DD text. */
export function keyOf(groupBy: CustomerGroupBy, start: string): string {
  return groupBy === 'month' ? start.slice(0, 7) : start;
}

export type Sums = { orders: number; net: number; paid: number };
/** Step sums of a period (migration 2980): sales (o1, o2) and sale days online and in store. */
export type Steps = { o1: number; o2: number; online: number; store: number };
type PeriodRow<T> = { start: string | null } & T;

/** Rows keyed by period (start) and '' for the whole range (start null). */
function byKey<T>(groupBy: CustomerGroupBy, rows: PeriodRow<T>[]): Map<string, T> {
  return new Map(rows.map((r) => [r.start === null ? '' : keyOf(groupBy, r.start), r]));
}

/**
 * Buyers, and sales counted by the step rule (analytics_customer_steps, migration 2980), per period
 * and for the range: a period's sales counted with back_day before its first day in the range.
 */
export async function steps(
  db: Queryable,
  from: string,
  to: string,
  groupBy: CustomerGroupBy,
): Promise<Map<string, Steps>> {
  const rows = await sql<{ start: string; kind: string; in_period: string; in_range: string }>`
    SELECT to_char(ps, 'YYYY-MM-DD') AS start, kind,
           coalesce(sum(n) FILTER (WHERE back_day < greatest(ps, ${from}::date)), 0)::text AS in_period,
           coalesce(sum(n) FILTER (WHERE back_day < ${from}::date), 0)::text AS in_range
    FROM (SELECT kind, n, back_day, ${periodStart(groupBy, sql`day`)} AS ps FROM analytics_customer_steps
          WHERE day BETWEEN ${from}::date AND ${to}::date) x
    GROUP BY 1, 2`.execute(db);
  const none = (): Steps => ({ o1: 0, o2: 0, online: 0, store: 0 });
  const out = new Map<string, Steps>([['', none()]]);
  for (const r of rows.rows) {
    const key = keyOf(groupBy, r.start);
    const k = r.kind as keyof Steps;
    if (!out.has(key)) out.set(key, none());
    out.get(key)![k] += Number(r.in_period);
    out.get('')![k] += Number(r.in_range);
  }
  return out;
}

/** The identified buyers' sales and returns per period and for the range (analytics_customer_day_sums). */
export async function daySums(db: Queryable, from: string, to: string, groupBy: CustomerGroupBy) {
  const rows = await sql<PeriodRow<{ orders: string; net: string; paid: string }>>`
    SELECT to_char(${periodStart(groupBy, sql`day`)}, 'YYYY-MM-DD') AS start, sum(orders)::text AS orders,
           sum(gross_sales - discounts - refunds)::text AS net, sum(gross_sales - discounts)::text AS paid
    FROM analytics_customer_day_sums WHERE day BETWEEN ${from}::date AND ${to}::date
    GROUP BY GROUPING SETS ((1), ())`.execute(db);
  return byKey(
    groupBy,
    rows.rows.map((r) => ({ start: r.start, orders: Number(r.orders), net: Number(r.net), paid: Number(r.paid) })),
  );
}

/** The last day of a period (a date column). */
function periodEnd(groupBy: CustomerGroupBy, col: RawBuilder<unknown>): RawBuilder<string> {
  if (groupBy === 'day') return sql<string>`${col}`;
  if (groupBy === 'week') return sql<string>`(date_trunc('week', ${col})::date + 6)`;
  return sql<string>`(date_trunc('month', ${col}) + interval '1 month' - interval '1 day')::date`;
}

type Measured = {
  start: string;
  p_orders: string;
  p_net: string;
  p_paid: string;
  r_orders: string;
  r_net: string;
  r_paid: string;
};

/**
 * The cross-channel buyers' sale days, per period (p_) and for the range (r_), from
 * analytics_customer_cross_days (migration 2981): `where` picks the rows, `counts` says when a row
 * counts for a range [f, t] (a period clipped to the range, or the range).
 */
function crossDays(
  groupBy: CustomerGroupBy,
  from: string,
  to: string,
  where: RawBuilder<unknown>,
  counts: (f: RawBuilder<unknown>, t: RawBuilder<unknown>) => RawBuilder<unknown>,
) {
  const f = sql`greatest(${periodStart(groupBy, sql`day`)}, ${from}::date)`;
  const t = sql`least(${periodEnd(groupBy, sql`day`)}, ${to}::date)`;
  const measures = (flag: string, prefix: string) =>
    sql.raw(
      ['orders', 'net', 'paid']
        .map((m) => `coalesce(sum(${m}) FILTER (WHERE ${flag}), 0)::text AS ${prefix}_${m}`)
        .join(', '),
    );
  return sql<Measured>`
    SELECT to_char(ps, 'YYYY-MM-DD') AS start, ${measures('in_period', 'p')}, ${measures('in_range', 'r')}
    FROM (SELECT ${periodStart(groupBy, sql`day`)} AS ps, orders, net, paid, ${counts(f, t)} AS in_period,
                 ${counts(sql`${from}::date`, sql`${to}::date`)} AS in_range
          FROM analytics_customer_cross_days WHERE ${where}) x
    GROUP BY ps`;
}

/**
 * The cross-channel buyers' sums, per period and for the range: the part of the figures that is not
 * a sum over days of anyone's activity. Sale days from analytics_customer_cross_days (days × days
 * rows, and the "sandwich" days by an index range); days with only returns come from the few people
 * with returns (returnsOnly).
 */
export async function crossSums(db: Queryable, from: string, to: string, groupBy: CustomerGroupBy) {
  const counted = crossDays(
    groupBy,
    from,
    to,
    sql`kind IN ('both', 'before', 'after') AND day BETWEEN ${from}::date AND ${to}::date`,
    (f, t) =>
      sql`(kind = 'both' OR (kind = 'before' AND before_day >= ${f}) OR (kind = 'after' AND after_day <= ${t}))`,
  );
  // A sale day between two of the other group, both in the range, was counted twice above.
  const twice = crossDays(
    groupBy,
    from,
    to,
    sql`kind = 'sandwich' AND before_day BETWEEN ${from}::date AND ${to}::date AND after_day <= ${to}::date`,
    (f, t) => sql`(before_day >= ${f} AND after_day <= ${t})`,
  );
  const [plus, minus] = await Promise.all([counted.execute(db), twice.execute(db)]);
  const out = new Map<string, Sums>();
  const add = (key: string, sign: number, orders: string, net: string, paid: string) => {
    const o = out.get(key) ?? { orders: 0, net: 0, paid: 0 };
    o.orders += sign * Number(orders);
    o.net += sign * Number(net);
    o.paid += sign * Number(paid);
    out.set(key, o);
  };
  for (const [rows, sign] of [
    [plus.rows, 1],
    [minus.rows, -1],
  ] as const)
    for (const r of rows) {
      add(keyOf(groupBy, r.start), sign, r.p_orders, r.p_net, r.p_paid);
      add('', sign, r.r_orders, r.r_net, r.r_paid);
    }
  return out;
}

/**
 * Per period and for the range, from the people with returns in the range (few), summed person by
 * person: `lost` = the net (returns) of those with no sale in the period, which no buyer group holds;
 * `idle` = the net of the days with returns only of those who bought online and in store there
 * (their sale days are in crossSums).
 */
export async function returnsOnly(db: Queryable, from: string, to: string, groupBy: CustomerGroupBy) {
  const rows = await sql<PeriodRow<{ lost: string | null; idle: string | null }>>`
    WITH pd AS (
      SELECT root, day, sum(orders) AS orders, sum(gross_sales - discounts - refunds) AS net,
             bool_or(channel_group = 'online' AND orders > 0) AS online, bool_or(channel_group = 'store' AND orders > 0) AS store
      FROM analytics_customer_daily
      WHERE root IN (SELECT root FROM analytics_customer_daily WHERE refunds <> 0 AND day BETWEEN ${from}::date AND ${to}::date)
        AND day BETWEEN ${from}::date AND ${to}::date
      GROUP BY root, day),
    b AS (
      SELECT ${periodStart(groupBy, sql`day`)} AS ps, root, sum(orders) AS orders, sum(net) AS net,
             sum(net) FILTER (WHERE orders = 0) AS idle, bool_or(online) AND bool_or(store) AS xc
      FROM pd GROUP BY GROUPING SETS ((1, 2), (2)))
    SELECT to_char(ps, 'YYYY-MM-DD') AS start, sum(net) FILTER (WHERE orders = 0)::text AS lost,
           sum(idle) FILTER (WHERE xc)::text AS idle
    FROM b GROUP BY ps`.execute(db);
  return new Map(
    [...byKey(groupBy, rows.rows)].map(
      ([k, r]) => [k, { lost: Number(r.lost ?? 0), idle: Number(r.idle ?? 0) }] as const,
    ),
  );
}

/**
 * New buyers per period and for the range (key ''), from the first-sale days alone: a person
 * whose first sale falls in the range bought then, so no buyer needs joining to them.
 */
export async function newBuyers(
  db: Queryable,
  from: string,
  to: string,
  groupBy: CustomerGroupBy,
): Promise<Map<string, number>> {
  const rows = await sql<{ start: string | null; n: string }>`
    SELECT to_char(${periodStart(groupBy, sql`f.first_day`)}, 'YYYY-MM-DD') AS start, count(*)::text AS n
    FROM analytics_customer_firsts f WHERE f.first_day BETWEEN ${from}::date AND ${to}::date
    GROUP BY GROUPING SETS ((1), ())`.execute(db);
  return new Map(rows.rows.map((r) => [r.start === null ? '' : keyOf(groupBy, r.start), Number(r.n)]));
}
