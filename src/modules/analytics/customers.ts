/**
 * GET /v1/analytics/customers: new and returning buyers, repurchase, cross-channel buyers and members
 * recruited per period, from tables of days × days rows derived from the customer rollups
 * (customer-derived.ts, migrations 2980–2981), never by grouping people at query time; only people
 * with returns in the range (few) are summed person by person.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { posRecruits } from '../customers/public';
import { checkRange } from './sales';
import {
  crossSums,
  daySums,
  keyOf,
  newBuyers,
  periodStart,
  returnsOnly,
  steps,
  type Steps,
  type Sums,
} from './customer-parts';

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

/** A period's (or the range's) counts and sums. */
type Raw = {
  buyers: number;
  new: number;
  repeaters: number;
  cross: BuyerGroup;
  single: BuyerGroup;
};

function figures(r: Raw | undefined, recruited: number): CustomerFigures {
  const buyers = r?.buyers ?? 0;
  const fresh = r?.new ?? 0;
  const none = { customers: 0, net_sales: 0, orders: 0, aov: 0 };
  return {
    buyers,
    new: fresh,
    returning: buyers - fresh,
    repurchase_rate: rate(r?.repeaters ?? 0, buyers),
    cross_channel: r?.cross ?? none,
    single_channel: r?.single ?? none,
    members_recruited: recruited,
  };
}

const buyerGroup = (customers: number, s: Sums): BuyerGroup => ({
  customers,
  net_sales: s.net,
  orders: s.orders,
  aov: s.orders ? Math.round(s.paid / s.orders) : 0,
});

/**
 * A period's figures from the decomposed parts: buyers = Σ o1; repeaters = Σ o2 − returning; the
 * single-channel sums = every identified buyer's sums − the cross-channel buyers' − the returns of
 * people who did not buy in the period.
 */
function combine(
  step: Steps | undefined,
  fresh: number,
  sums: Sums | undefined,
  crossed: Sums | undefined,
  returns: { lost: number; idle: number } | undefined,
): Raw {
  const buyers = step?.o1 ?? 0;
  const sale = crossed ?? { orders: 0, net: 0, paid: 0 };
  // bought online + bought in store − bought: both
  const customers = (step?.online ?? 0) + (step?.store ?? 0) - buyers;
  const cross = { ...sale, customers, net: sale.net + (returns?.idle ?? 0) };
  const lost = returns?.lost ?? 0;
  const all = sums ?? { orders: 0, net: 0, paid: 0 };
  return {
    buyers,
    new: fresh,
    repeaters: (step?.o2 ?? 0) - (buyers - fresh),
    cross: buyerGroup(cross.customers, cross),
    single: buyerGroup(buyers - cross.customers, {
      orders: all.orders - cross.orders,
      net: all.net - cross.net - lost,
      paid: all.paid - cross.paid,
    }),
  };
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
  // The parts side by side (several connections where the pool has them).
  const [step, fresh, sums, crossed, lost, recruited] = await Promise.all([
    steps(db, q.from, q.to, groupBy),
    newBuyers(db, q.from, q.to, groupBy),
    daySums(db, q.from, q.to, groupBy),
    crossSums(db, q.from, q.to, groupBy),
    returnsOnly(db, q.from, q.to, groupBy),
    recruits(db, tz, q.from, q.to, groupBy),
  ]);
  const raw = (key: string) =>
    combine(step.get(key), fresh.get(key) ?? 0, sums.get(key), crossed.get(key), lost.get(key));
  return {
    from: q.from,
    to: q.to,
    group_by: groupBy,
    totals: figures(raw(''), recruited.get('') ?? 0),
    rows: periodKeysOf(groupBy, range.from, range.to).map((key) => ({
      key,
      ...figures(raw(key), recruited.get(key) ?? 0),
    })),
  };
}
