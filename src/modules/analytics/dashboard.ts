import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { orderSummaries } from '../orders/public';

/** Orders that are sales: paid or sold in store, not awaiting payment, cancelled or expired. Sales are net of refunds. */
export const NOT_SALES = ['pending_payment', 'cancelled', 'expired'];

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

type Row = { channel: string | null; sales: string | null; orders: string; customers: string };

function figures(rows: Row[], from: string, to: string): PeriodFigures {
  const by = rows
    .filter((r) => r.channel !== null)
    .map((r) => ({
      channel: r.channel as string,
      sales: Number(r.sales ?? 0),
      orders: Number(r.orders),
      customers: Number(r.customers),
    }));
  const total = rows.find((r) => r.channel === null);
  const sales = Number(total?.sales ?? 0);
  const orders = Number(total?.orders ?? 0);
  return {
    from,
    to,
    totals: {
      sales,
      orders,
      customers: Number(total?.customers ?? 0),
      average_order_value: orders ? Math.round(sales / orders) : 0,
    },
    by_channel: by.sort((a, b) => b.sales - a.sales),
  };
}

/** Today's and the last 30 days' sales, orders and buying customers by channel, in the retailer's time zone. */
export async function dashboard(
  db: Queryable,
  opts: { timezone: string; currency: string; locationId?: string | null },
): Promise<Dashboard> {
  const tz = opts.timezone;
  const loc = opts.locationId ?? null;
  const bounds = (
    await sql<{ today: Date; start30: Date; today_date: string; start_date: string }>`
      SELECT (date_trunc('day', now() AT TIME ZONE ${tz}) AT TIME ZONE ${tz}) AS today,
             ((date_trunc('day', now() AT TIME ZONE ${tz}) - interval '29 days') AT TIME ZONE ${tz}) AS start30,
             to_char(now() AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS today_date,
             to_char((now() AT TIME ZONE ${tz}) - interval '29 days', 'YYYY-MM-DD') AS start_date`.execute(db)
  ).rows[0];
  const period = (from: Date) =>
    sql<Row>`
      SELECT channel, sum(total - refunded_total)::text AS sales, count(*)::text AS orders, count(DISTINCT customer_id)::text AS customers
      FROM ${orderSummaries} o
      WHERE placed_at >= ${from} AND status NOT IN (${sql.join(NOT_SALES)})
        AND (${loc}::text IS NULL OR location_id = ${loc}::text)
      GROUP BY GROUPING SETS ((channel), ())`.execute(db);
  const [today, last30, daily] = await Promise.all([
    period(bounds.today),
    period(bounds.start30),
    sql<{ date: string; channel: string; sales: string; orders: string }>`
      SELECT to_char(placed_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS date, channel, sum(total - refunded_total)::text AS sales, count(*)::text AS orders
      FROM ${orderSummaries} o
      WHERE placed_at >= ${bounds.start30} AND status NOT IN (${sql.join(NOT_SALES)})
        AND (${loc}::text IS NULL OR location_id = ${loc}::text)
      GROUP BY 1, 2 ORDER BY 1, 2`.execute(db),
  ]);
  return {
    timezone: tz,
    currency: opts.currency,
    today: figures(today.rows, bounds.today_date, bounds.today_date),
    last_30_days: figures(last30.rows, bounds.start_date, bounds.today_date),
    daily: daily.rows.map((r) => ({
      date: r.date,
      channel: r.channel,
      sales: Number(r.sales),
      orders: Number(r.orders),
    })),
  };
}
