import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { fulfilmentTimings } from '../fulfilment/public';
import { orderSummaries } from '../orders/public';

/**
 * A leader's monthly commission statement: the group-buy orders collected in the month (retailer's
 * time zone), their net sales (paid less refunded: a return reverses its share), and the commission,
 * Σ round(percent frozen at the order × its net sales), in fen. Computed from the orders, so a return
 * after the month changes that month's figures: settlements (revenue share with stores) is a ledger
 * of one store per order and a global percent, which does not fit a per-leader percent.
 */
export async function leaderCommission(db: Queryable, tz: string, leaderId: string, period: string) {
  const r = await sql<{ orders: string; net_sales: string; commission: string }>`
    SELECT count(*) AS orders, coalesce(sum(o.total - o.refunded_total), 0) AS net_sales,
           coalesce(sum(round((o.total - o.refunded_total) * g.commission_bp / 10000.0)), 0) AS commission
    FROM groupbuy_orders g
    JOIN ${orderSummaries} o ON o.id = g.order_id
    JOIN ${fulfilmentTimings} f ON f.order_id = g.order_id
    WHERE g.leader_id = ${leaderId} AND f.collected_at IS NOT NULL
      AND to_char(f.collected_at AT TIME ZONE ${tz}, 'YYYY-MM') = ${period}`.execute(db);
  const row = r.rows[0];
  return {
    leader_id: leaderId,
    period,
    orders: Number(row.orders),
    net_sales: Number(row.net_sales),
    commission: Number(row.commission),
  };
}
