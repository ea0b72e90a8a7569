/**
 * GET /v1/analytics/customers: new and returning buyers, repurchase, cross-channel buyers and members
 * recruited per period, from the customer rollups (customer-rollup.ts).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { posRecruits } from '../customers/public';
import { checkRange } from './sales';

export const CUSTOMER_GROUP_BY = ['day', 'week', 'month'] as const;
export type CustomerGroupBy = (typeof CUSTOMER_GROUP_BY)[number];

/** The definitions, for /docs (the console shows the same beside each figure). */
export const CUSTOMER_DEFINITIONS =
  "Days are the retailer's time zone. Buyers are identified people (counted once per One ID group root; guests are " +
  'not counted) with at least one sale (an order paid or completed, not cancelled or expired, dated by placed_at) in the ' +
  'period. new = buyers whose first sale ever falls in the period; returning = the other buyers. repurchase_rate = share ' +
  'of the buyers with 2 or more sales in the period. cross_channel = buyers who bought both online (app, mini_program, ' +
  'web, group_buy) and in store (pos) in the period; single_channel = the other buyers. Their net_sales = gross − ' +
  'discounts − refunds of their sales and returns dated in the period (fen); aov = (gross − discounts) / orders, rounded ' +
  'to the fen. members_recruited = people first identified at a store\u2019s till (a known profile created by a POS ' +
  'call, the oldest of its group) in the period. Rates are fractions 0–1 rounded to 4 places, 0 when there is no buyer.';

const DAY_MS = 86400_000;
const fmt = (d: Date) => d.toISOString().slice(0, 10);

export interface BuyerGroup {
  customers: number;
  net_sales: number;
  orders: number;
  aov: number;
}

export interface CustomerFigures {
  buyers: number;
  new: number;
  returning: number;
  repurchase_rate: number;
  cross_channel: BuyerGroup;
  single_channel: BuyerGroup;
  members_recruited: number;
}

export interface CustomerReport {
  from: string;
  to: string;
  group_by: CustomerGroupBy;
  totals: CustomerFigures;
  rows: (CustomerFigures & { key: string })[];
}

/** A period key of a date column: day YYYY-MM-DD, week = its Monday, month YYYY-MM ('' = the whole range). */
export function periodKey(groupBy: CustomerGroupBy | null, col: RawBuilder<unknown>): RawBuilder<string> {
  if (groupBy === null) return sql<string>`''`;
  if (groupBy === 'day') return sql<string>`to_char(${col}, 'YYYY-MM-DD')`;
  if (groupBy === 'week') return sql<string>`to_char(date_trunc('week', ${col}), 'YYYY-MM-DD')`;
  return sql<string>`to_char(${col}, 'YYYY-MM')`;
}

/** Every period key of [from, to], so empty periods show as zeros. */
export function periodKeysOf(groupBy: CustomerGroupBy, from: Date, to: Date): string[] {
  const keys: string[] = [];
  if (groupBy === 'month') {
    for (let d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1)); d <= to;) {
      keys.push(fmt(d).slice(0, 7));
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    }
    return keys;
  }
  let d = from;
  if (groupBy === 'week') d = new Date(from.getTime() - ((from.getUTCDay() + 6) % 7) * DAY_MS);
  for (; d <= to; d = new Date(d.getTime() + (groupBy === 'week' ? 7 : 1) * DAY_MS)) keys.push(fmt(d));
  return keys;
}

/** The instant a day of the retailer's time zone starts (a sargable bound on a timestamptz column). */
export const dayStart = (day: string, tz: string) => sql`(${day}::date::timestamp AT TIME ZONE ${tz})`;
export const dayAfter = (day: string, tz: string) => sql`((${day}::date + 1)::timestamp AT TIME ZONE ${tz})`;

export const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 10000 : 0);

type Raw = {
  key: string;
  buyers: string;
  new: string;
  repeaters: string;
  cross_customers: string;
  cross_net: string | null;
  cross_paid: string | null;
  cross_orders: string | null;
  single_customers: string;
  single_net: string | null;
  single_paid: string | null;
  single_orders: string | null;
};

function group(
  customers: string | undefined,
  net: string | null | undefined,
  paid: string | null | undefined,
  orders: string | null | undefined,
): BuyerGroup {
  const o = Number(orders ?? 0);
  return {
    customers: Number(customers ?? 0),
    net_sales: Number(net ?? 0),
    orders: o,
    aov: o ? Math.round(Number(paid ?? 0) / o) : 0,
  };
}

function figures(r: Raw | undefined, recruited: number): CustomerFigures {
  const buyers = Number(r?.buyers ?? 0);
  const fresh = Number(r?.new ?? 0);
  return {
    buyers,
    new: fresh,
    returning: buyers - fresh,
    repurchase_rate: rate(Number(r?.repeaters ?? 0), buyers),
    cross_channel: group(r?.cross_customers, r?.cross_net, r?.cross_paid, r?.cross_orders),
    single_channel: group(r?.single_customers, r?.single_net, r?.single_paid, r?.single_orders),
    members_recruited: recruited,
  };
}

/** The first day of a period (a date column), for grouping; null = the whole range (one group). */
function periodStart(groupBy: CustomerGroupBy, col: RawBuilder<unknown>): RawBuilder<string> {
  if (groupBy === 'day') return sql<string>`${col}`;
  return sql<string>`date_trunc(${groupBy}, ${col})::date`;
}

/** A period's key (periodKey) from its first day as YYYY-MM-DD text. */
function keyOf(groupBy: CustomerGroupBy, start: string): string {
  return groupBy === 'month' ? start.slice(0, 7) : start;
}

/**
 * The buyer figures of [from, to] per period (groupBy), or for the whole range (null: key ''), from
 * each person's sums per period over the range's customer-days.
 */
async function buyerFigures(
  db: Queryable,
  from: string,
  to: string,
  groupBy: CustomerGroupBy | null,
): Promise<Omit<Raw, 'new'>[]> {
  const start = groupBy ? periodStart(groupBy, sql`d.day`) : sql`NULL::date`;
  const rows = await sql<Omit<Raw, 'new' | 'key'> & { start: string | null }>`
      WITH b AS (
        SELECT ${start} AS start, d.root, sum(d.orders) AS orders,
               bool_or(d.channel_group = 'online' AND d.orders > 0) AND bool_or(d.channel_group = 'store' AND d.orders > 0) AS xc,
               sum(d.gross_sales - d.discounts - d.refunds) AS net, sum(d.gross_sales - d.discounts) AS paid
        FROM analytics_customer_daily d WHERE d.day BETWEEN ${from}::date AND ${to}::date
        GROUP BY 1, 2)
      SELECT to_char(start, 'YYYY-MM-DD') AS start,
             count(*)::text AS buyers,
             count(*) FILTER (WHERE orders >= 2)::text AS repeaters,
             count(*) FILTER (WHERE xc)::text AS cross_customers,
             sum(net) FILTER (WHERE xc)::text AS cross_net,
             sum(paid) FILTER (WHERE xc)::text AS cross_paid,
             sum(orders) FILTER (WHERE xc)::text AS cross_orders,
             count(*) FILTER (WHERE NOT xc)::text AS single_customers,
             sum(net) FILTER (WHERE NOT xc)::text AS single_net,
             sum(paid) FILTER (WHERE NOT xc)::text AS single_paid,
             sum(orders) FILTER (WHERE NOT xc)::text AS single_orders
      FROM b WHERE orders > 0
      GROUP BY start`.execute(db);
  return rows.rows.map(({ start, ...r }) => ({ ...r, key: groupBy && start !== null ? keyOf(groupBy, start) : '' }));
}

/**
 * New buyers per period and for the whole range (key ''), from the first-sale days alone: a person
 * whose first sale falls in the range bought then, so no buyer needs joining to them.
 */
async function newBuyers(
  db: Queryable,
  from: string,
  to: string,
  groupBy: CustomerGroupBy,
): Promise<Map<string, string>> {
  const rows = await sql<{ start: string | null; n: string }>`
    SELECT to_char(${periodStart(groupBy, sql`f.first_day`)}, 'YYYY-MM-DD') AS start, count(*)::text AS n
    FROM analytics_customer_firsts f WHERE f.first_day BETWEEN ${from}::date AND ${to}::date
    GROUP BY GROUPING SETS ((1), ())`.execute(db);
  return new Map(rows.rows.map((r) => [r.start === null ? '' : keyOf(groupBy, r.start), r.n]));
}

async function recruits(
  db: Queryable,
  tz: string,
  from: string,
  to: string,
  groupBy: CustomerGroupBy,
): Promise<Map<string, number>> {
  const start = periodStart(groupBy, sql`(m.created_at AT TIME ZONE ${tz})::date`);
  const rows = (
    await sql<{ start: string | null; n: string }>`
      SELECT to_char(${start}, 'YYYY-MM-DD') AS start, count(*)::text AS n FROM ${posRecruits} m
      WHERE m.created_at >= ${dayStart(from, tz)} AND m.created_at < ${dayAfter(to, tz)}
      GROUP BY GROUPING SETS ((1), ())`.execute(db)
  ).rows;
  return new Map(rows.map((r) => [r.start === null ? '' : keyOf(groupBy, r.start), Number(r.n)]));
}

/** The customer figures of [from, to] by period. */
export async function customerReport(
  db: Queryable,
  tz: string,
  q: { from: string; to: string; group_by?: CustomerGroupBy },
): Promise<CustomerReport> {
  const range = checkRange(q.from, q.to);
  const groupBy = q.group_by ?? 'day';
  // Totals and periods side by side (two connections where the pool has them).
  const [totals, periods, fresh, recruited] = await Promise.all([
    buyerFigures(db, q.from, q.to, null),
    buyerFigures(db, q.from, q.to, groupBy),
    newBuyers(db, q.from, q.to, groupBy),
    recruits(db, tz, q.from, q.to, groupBy),
  ]);
  const byKey = new Map([...totals, ...periods].map((r) => [r.key, { ...r, new: fresh.get(r.key) ?? '0' }]));
  return {
    from: q.from,
    to: q.to,
    group_by: groupBy,
    totals: figures(byKey.get(''), recruited.get('') ?? 0),
    rows: periodKeysOf(groupBy, range.from, range.to).map((key) => ({
      key,
      ...figures(byKey.get(key), recruited.get(key) ?? 0),
    })),
  };
}
