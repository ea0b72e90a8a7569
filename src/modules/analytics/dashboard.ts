/**
 * GET /v1/analytics/dashboard: today's and the last 30 days' sales by channel, from the sales
 * rollups (rollup.ts) like GET /v1/analytics/sales — no scan of the orders. `sales` is net sales
 * (gross − coupons − points − refunds, refunds dated by the return), `customers` distinct identified
 * buyers (One ID roots), the average order value (gross − discounts) / orders; see sales.ts DEFINITIONS.
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { salesReport, type Figures } from './sales';

export interface ChannelFigures {
  channel: string;
  sales: number;
  orders: number;
  customers: number;
}

export interface PeriodFigures {
  from: string;
  to: string;
  totals: { sales: number; orders: number; customers: number; average_order_value: number };
  by_channel: ChannelFigures[];
}

export interface Dashboard {
  timezone: string;
  currency: string;
  today: PeriodFigures;
  last_30_days: PeriodFigures;
  daily: { date: string; channel: string; sales: number; orders: number }[];
}

const totals = (f: Figures) => ({
  sales: f.net_sales,
  orders: f.orders,
  customers: f.customers,
  average_order_value: f.aov,
});

/** Today's and the last 30 days' net sales, orders and buying customers by channel, in the retailer's time zone. */
export async function dashboard(
  db: Queryable,
  opts: { timezone: string; currency: string; locationId?: string | null },
): Promise<Dashboard> {
  const tz = opts.timezone;
  const loc = opts.locationId ?? null;
  const bounds = (
    await sql<{ today: string; start: string }>`
      SELECT to_char(now() AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS today,
             to_char((now() AT TIME ZONE ${tz}) - interval '29 days', 'YYYY-MM-DD') AS start`.execute(db)
  ).rows[0];
  const settings = { timezone: tz, currency: opts.currency };
  const period = async (from: string): Promise<PeriodFigures> => {
    const r = await salesReport(db, settings, { from, to: bounds.today, group_by: 'channel', location_id: loc });
    return {
      from,
      to: bounds.today,
      totals: totals(r.totals),
      by_channel: r.rows
        .filter((x) => x.orders !== 0 || x.net_sales !== 0)
        .map((x) => ({ channel: x.key, sales: x.net_sales, orders: x.orders, customers: x.customers }))
        .sort((a, b) => b.sales - a.sales),
    };
  };
  const [today, last30, daily] = await Promise.all([
    period(bounds.today),
    period(bounds.start),
    sql<{ date: string; channel: string; sales: string; orders: string }>`
      SELECT to_char(day, 'YYYY-MM-DD') AS date, channel,
             sum(gross_sales - coupon_discounts - points_discounts - refunds)::text AS sales, sum(orders)::text AS orders
      FROM analytics_sales_daily
      WHERE day BETWEEN ${bounds.start}::date AND ${bounds.today}::date
        AND (${loc}::text IS NULL OR location_id = ${loc}::text)
      GROUP BY 1, 2 HAVING sum(orders) <> 0 OR sum(gross_sales - coupon_discounts - points_discounts - refunds) <> 0
      ORDER BY 1, 2`.execute(db),
  ]);
  return {
    timezone: tz,
    currency: opts.currency,
    today,
    last_30_days: last30,
    daily: daily.rows.map((r) => ({
      date: r.date,
      channel: r.channel,
      sales: Number(r.sales),
      orders: Number(r.orders),
    })),
  };
}
