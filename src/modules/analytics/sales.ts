/**
 * GET /v1/analytics/sales: sales figures over a date range from the rollups (rollup.ts), grouped by
 * period, channel, store, category, fulfilment kind or SKU, with an optional comparison.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { badRequest } from '../../platform/http/errors';

export const GROUP_BY = [
  'day',
  'week',
  'month',
  'channel',
  'channel_group',
  'location',
  'category',
  'fulfilment',
  'sku',
] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export const COMPARE = ['previous_period', 'previous_year'] as const;

const TIME_GROUPS = new Set<GroupBy>(['day', 'week', 'month']);

/** The definitions, for /docs and the README (the console shows the same beside each figure). */
export const DEFINITIONS =
  "Days are the retailer's time zone (SANTONG_TIMEZONE). A sale is an order paid or completed (not pending payment, " +
  'cancelled or expired), dated by placed_at; an order cancelled after payment leaves the figures with its returns. ' +
  'gross_sales = Σ list price × qty (what was paid for the goods plus coupon and points discounts; delivery fees ' +
  'excluded); discounts = {coupons, points} in fen; refunds = amounts refunded by returns, dated by the return; ' +
  'net_sales = gross_sales − coupons − points − refunds; orders = sales; units = units sold − units returned (by the ' +
  'return date); customers = distinct identified buyers (by their One ID root; guest orders are not counted); ' +
  'aov = (gross_sales − discounts) / orders, rounded to the fen. Channel groups: online (app, mini_program, web, ' +
  'group_buy) and store (pos). Fulfilment kinds: in_store, pickup, hour, same_day, standard. location "" = an order ' +
  'split across several locations. With group_by=category or sku, orders counts the orders that hold the SKU and ' +
  'customers counts their identified orders (a buyer of it on two orders counts twice); every other grouping and the ' +
  'totals count distinct buyers. Figures come from rollups kept up to date from the orders’ events within about ' +
  'a second (santong analytics rebuild recomputes them). `to` is inclusive; at most 3 years apart.';

export interface Figures {
  gross_sales: number;
  discounts: { coupons: number; points: number };
  refunds: number;
  net_sales: number;
  orders: number;
  units: number;
  customers: number;
  aov: number;
}

export interface SalesRow extends Figures {
  key: string;
}

interface Period {
  from: string;
  to: string;
  totals: Figures;
  rows: SalesRow[];
}

export interface SalesReport extends Period {
  currency: string;
  timezone: string;
  compare?: Period;
}

export interface SalesQuery {
  from: string;
  to: string;
  group_by?: GroupBy;
  channel?: string;
  location_id?: string | null;
  compare?: (typeof COMPARE)[number];
  limit?: number;
}

const DAY_MS = 86400_000;

/** A YYYY-MM-DD date as UTC midnight, or a 400 naming the field. */
function parseDay(value: string, field: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    throw badRequest(`${field} must be a date YYYY-MM-DD`, field);
  return d;
}

const fmt = (d: Date) => d.toISOString().slice(0, 10);

/** The same day a year earlier (29 February → 28 February). */
function yearBefore(d: Date): Date {
  const y = new Date(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth(), d.getUTCDate()));
  return y.getUTCMonth() === d.getUTCMonth() ? y : new Date(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth() + 1, 0));
}

/** Checks a range: both dates valid, from ≤ to, at most 3 years apart. */
export function checkRange(from: string, to: string): { from: Date; to: Date } {
  const f = parseDay(from, 'from');
  const t = parseDay(to, 'to');
  if (t < f) throw badRequest('to must not be before from', 'to');
  const limit = new Date(Date.UTC(f.getUTCFullYear() + 3, f.getUTCMonth(), f.getUTCDate()));
  if (t >= limit) throw badRequest('from and to may be at most 3 years apart', 'to');
  return { from: f, to: t };
}

/** The period compared with [from, to]. */
export function comparedRange(from: Date, to: Date, compare: (typeof COMPARE)[number]): { from: Date; to: Date } {
  if (compare === 'previous_year') return { from: yearBefore(from), to: yearBefore(to) };
  const days = Math.round((to.getTime() - from.getTime()) / DAY_MS) + 1;
  return { from: new Date(from.getTime() - days * DAY_MS), to: new Date(from.getTime() - DAY_MS) };
}

function keyExpr(groupBy: GroupBy | null): RawBuilder<string> {
  switch (groupBy) {
    case null:
      return sql<string>`''`;
    case 'day':
      return sql<string>`to_char(t.day, 'YYYY-MM-DD')`;
    case 'week':
      return sql<string>`to_char(date_trunc('week', t.day), 'YYYY-MM-DD')`;
    case 'month':
      return sql<string>`to_char(t.day, 'YYYY-MM')`;
    case 'channel':
      return sql<string>`t.channel`;
    case 'channel_group':
      return sql<string>`CASE WHEN t.channel = 'pos' THEN 'store' ELSE 'online' END`;
    case 'location':
      return sql<string>`t.location_id`;
    case 'fulfilment':
      return sql<string>`t.fulfilment`;
    case 'category':
      return sql<string>`t.category`;
    case 'sku':
      return sql<string>`t.sku`;
  }
}

type Raw = {
  key: string;
  gross: string;
  coupons: string;
  points: string;
  refunds: string;
  orders: string;
  units: string;
  customers: string;
};

function figures(r: Raw | undefined): Figures {
  const gross = Number(r?.gross ?? 0);
  const coupons = Number(r?.coupons ?? 0);
  const points = Number(r?.points ?? 0);
  const refunds = Number(r?.refunds ?? 0);
  const orders = Number(r?.orders ?? 0);
  return {
    gross_sales: gross,
    discounts: { coupons, points },
    refunds,
    net_sales: gross - coupons - points - refunds,
    orders,
    units: Number(r?.units ?? 0),
    customers: Number(r?.customers ?? 0),
    aov: orders ? Math.round((gross - coupons - points) / orders) : 0,
  };
}

/**
 * The slice of analytics_buyer_days (rollup.ts, BUYER_SLICES) that keeps the dimensions a query
 * filters or groups by: distinct buyers are counted within it.
 */
function buyerSlice(groupBy: GroupBy | null, channel: boolean, location: boolean): string {
  const ch = channel || groupBy === 'channel';
  const grp = !ch && groupBy === 'channel_group';
  const loc = location || groupBy === 'location';
  const ful = groupBy === 'fulfilment';
  return [ch ? 'ch' : grp ? 'grp' : '', loc ? 'loc' : '', ful ? 'ful' : ''].filter(Boolean).join('+');
}

/** The first day of the period a buyer-day row falls in (time groupings), else '' (the whole range). */
function periodStart(groupBy: GroupBy | null): RawBuilder<string> | null {
  if (groupBy === 'day') return sql<string>`t.day`;
  if (groupBy === 'week') return sql<string>`date_trunc('week', t.day)::date`;
  if (groupBy === 'month') return sql<string>`date_trunc('month', t.day)::date`;
  return null;
}

/** The figures of [from, to] by key (null: one row, the totals). */
async function query(
  db: Queryable,
  q: { from: Date; to: Date; groupBy: GroupBy | null; channel?: string; locationId?: string | null },
): Promise<Raw[]> {
  const key = keyExpr(q.groupBy);
  const from = sql`${fmt(q.from)}::date`;
  const filters = (t: string) => sql`${sql.ref(`${t}.day`)} BETWEEN ${from} AND ${fmt(q.to)}::date
    ${q.channel ? sql`AND ${sql.ref(`${t}.channel`)} = ${q.channel}` : sql``}
    ${q.locationId != null ? sql`AND ${sql.ref(`${t}.location_id`)} = ${q.locationId}` : sql``}`;
  const bySku = q.groupBy === 'category' || q.groupBy === 'sku';
  if (bySku) {
    // Without a channel or store filter the day × SKU table suffices (a fraction of the rows), and
    // the day × category table for categories.
    const coarse = !q.channel && q.locationId == null;
    const table = !coarse
      ? 'analytics_sku_daily'
      : q.groupBy === 'sku'
        ? 'analytics_sku_day'
        : 'analytics_category_day';
    return (
      await sql<Raw>`
        SELECT ${key} AS key, sum(gross_sales)::text AS gross, sum(coupon_discounts)::text AS coupons,
               sum(points_discounts)::text AS points, sum(refunds)::text AS refunds, sum(orders)::text AS orders,
               sum(units_sold - units_returned)::text AS units, sum(identified_orders)::text AS customers
        FROM ${sql.table(table)} t
        WHERE ${coarse ? sql`t.day BETWEEN ${from} AND ${fmt(q.to)}::date` : filters('t')} GROUP BY 1`.execute(db)
    ).rows;
  }
  // Distinct buyers: each person once, on the first day of the range (or of the period) they
  // bought, i.e. the buyer-day whose previous sale in the slice is before it. No hashing of persons.
  const dims = buyerSlice(q.groupBy, Boolean(q.channel), q.locationId != null);
  const buyerKey =
    q.groupBy === 'channel_group' && dims.startsWith('grp') ? sql<string>`t.channel` : (key as RawBuilder<string>);
  const start = periodStart(q.groupBy);
  return (
    await sql<Raw>`
      WITH f AS (
        SELECT ${key} AS key, sum(gross_sales) AS gross, sum(coupon_discounts) AS coupons, sum(points_discounts) AS points,
               sum(refunds) AS refunds, sum(orders) AS orders, sum(units_sold - units_returned) AS units
        FROM analytics_sales_daily t WHERE ${filters('t')} GROUP BY 1),
      b AS (
        SELECT ${buyerKey} AS key, sum(t.buyers) AS customers FROM analytics_buyer_days t
        WHERE t.dims = ${dims} AND ${filters('t')} AND t.prev_day < ${start ? sql`greatest(${start}, ${from})` : from}
        GROUP BY 1)
      SELECT f.key, f.gross::text AS gross, f.coupons::text AS coupons, f.points::text AS points, f.refunds::text AS refunds,
             f.orders::text AS orders, f.units::text AS units, coalesce(b.customers, 0)::text AS customers
      FROM f LEFT JOIN b ON b.key = f.key`.execute(db)
  ).rows;
}

/** Every period key of a time grouping over [from, to], so a chart shows the empty days too. */
function periodKeys(groupBy: GroupBy, from: Date, to: Date): string[] {
  const keys: string[] = [];
  if (groupBy === 'month') {
    let d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
    while (d <= to) {
      keys.push(fmt(d).slice(0, 7));
      d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
    }
    return keys;
  }
  let d = from;
  if (groupBy === 'week') d = new Date(from.getTime() - ((from.getUTCDay() + 6) % 7) * DAY_MS); // the Monday
  for (; d <= to; d = new Date(d.getTime() + (groupBy === 'week' ? 7 : 1) * DAY_MS)) keys.push(fmt(d));
  return keys;
}

async function period(
  db: Queryable,
  q: SalesQuery,
  range: { from: Date; to: Date },
  groupBy: GroupBy,
  limit: number,
): Promise<Period> {
  const base = { from: range.from, to: range.to, channel: q.channel, locationId: q.location_id };
  const [totals, raw] = await Promise.all([query(db, { ...base, groupBy: null }), query(db, { ...base, groupBy })]);
  let rows: SalesRow[];
  if (TIME_GROUPS.has(groupBy)) {
    const byKey = new Map(raw.map((r) => [r.key, r]));
    rows = periodKeys(groupBy, range.from, range.to)
      .slice(0, limit)
      .map((key) => ({ key, ...figures(byKey.get(key)) }));
  } else {
    rows = raw
      .map((r) => ({ key: r.key, ...figures(r) }))
      .sort((a, b) => b.net_sales - a.net_sales || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }
  return { from: fmt(range.from), to: fmt(range.to), totals: figures(totals[0]), rows };
}

/** The sales report of a range, with the compared period when asked. */
export async function salesReport(
  db: Queryable,
  settings: { timezone: string; currency: string },
  q: SalesQuery,
): Promise<SalesReport> {
  const range = checkRange(q.from, q.to);
  const groupBy = q.group_by ?? 'day';
  const limit = q.limit ?? (TIME_GROUPS.has(groupBy) ? 1100 : 100);
  const main = await period(db, q, range, groupBy, limit);
  const out: SalesReport = { currency: settings.currency, timezone: settings.timezone, ...main };
  if (q.compare) out.compare = await period(db, q, comparedRange(range.from, range.to, q.compare), groupBy, limit);
  return out;
}

const CSV_COLUMNS = [
  'key',
  'gross_sales',
  'coupons',
  'points',
  'refunds',
  'net_sales',
  'orders',
  'units',
  'customers',
  'aov',
] as const;

function csvKey(s: string): string {
  return /[",\n\r]/.test(s) || /^[=+\-@\t]/.test(s)
    ? `"${/^[=+\-@\t]/.test(s) ? "'" : ''}${s.replace(/"/g, '""')}"`
    : s;
}

/** The report's rows as CSV lines, header first (a key is quoted when a spreadsheet could read it as a formula). */
export function* salesCsv(r: SalesReport): Generator<string> {
  yield CSV_COLUMNS.join(',') + '\n';
  const line = (key: string, f: Figures) =>
    [
      csvKey(key),
      f.gross_sales,
      f.discounts.coupons,
      f.discounts.points,
      f.refunds,
      f.net_sales,
      f.orders,
      f.units,
      f.customers,
      f.aov,
    ].join(',') + '\n';
  for (const row of r.rows) yield line(row.key, row);
}
