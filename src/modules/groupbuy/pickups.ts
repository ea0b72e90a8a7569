import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { Queryable } from '../../platform/db/database';
import type { AppContext } from '../../platform/http/context';
import { AppError, forbidden } from '../../platform/http/errors';
import { csvLine } from '../../platform/http/csv';
import { productNamesOf } from '../catalog/public';
import { namesFor } from '../customers/public';
import { fulfilmentTimings } from '../fulfilment/public';
import { cancelOrder } from '../orders/lifecycle';
import { orderLines, orderSummaries } from '../orders/public';
import { groupBuySetting } from './setting';

/** Days after its pickup date an uncollected group-buy order is cancelled and refunded (setting `group_buy`). */
export const DEFAULT_NO_SHOW_DAYS = 3;

export async function noShowDays(db: Queryable): Promise<number> {
  return (await groupBuySetting(db)).no_show_days ?? DEFAULT_NO_SHOW_DAYS;
}

/**
 * A pickup point's hand-over list for a day: the group-buy orders of the campaigns picked up there
 * that day, with their lines and status (store staff: their own store only).
 */
export async function pickupList(ctx: AppContext, principal: Principal, locationId: string, day: string) {
  if (principal.role === 'store_staff' && principal.locationId !== locationId)
    throw forbidden("store staff see their own store's pickups only");
  const db = ctx.database.db;
  const rows = (
    await sql<{
      order_id: string;
      customer_id: string;
      campaign_id: string;
      leader_id: string;
      status: string;
      fulfillment_id: string | null;
      lines: { sku: string; qty: number }[];
    }>`
    SELECT g.order_id, g.customer_id, g.campaign_id, g.leader_id, o.status,
           (SELECT min(f.id) FROM ${fulfilmentTimings} f WHERE f.order_id = g.order_id) AS fulfillment_id,
           (SELECT json_agg(json_build_object('sku', l.sku, 'qty', l.qty) ORDER BY l.sku) FROM ${orderLines} l WHERE l.order_id = g.order_id) AS lines
    FROM groupbuy_orders g
    JOIN groupbuy_campaigns c ON c.id = g.campaign_id
    JOIN ${orderSummaries} o ON o.id = g.order_id
    WHERE g.location_id = ${locationId} AND c.pickup_date = ${day} AND o.status NOT IN ('pending_payment', 'expired', 'cancelled')
    ORDER BY g.order_id
    LIMIT 5000`.execute(db)
  ).rows;
  const [products, names] = await Promise.all([
    productNamesOf(db, [...new Set(rows.flatMap((r) => r.lines.map((l) => l.sku)))]),
    namesFor(db, ctx.keys, principal, [...new Set(rows.map((r) => r.customer_id))]),
  ]);
  return rows.map((r) => ({
    order_id: r.order_id,
    customer_id: r.customer_id,
    customer_name: names.get(r.customer_id) ?? null,
    campaign_id: r.campaign_id,
    leader_id: r.leader_id,
    fulfillment_id: r.fulfillment_id,
    lines: r.lines.map((l) => ({ sku: l.sku, product_name: products.get(l.sku) ?? null, qty: l.qty })),
    status: r.status,
  }));
}

export function pickupCsv(items: Awaited<ReturnType<typeof pickupList>>): string {
  return (
    csvLine(['order_id', 'customer_id', 'status', 'sku', 'product', 'qty']) +
    items
      .flatMap((p) => p.lines.map((l) => csvLine([p.order_id, p.customer_id, p.status, l.sku, l.product_name, l.qty])))
      .join('')
  );
}

/**
 * Cancels and refunds group-buy orders still waiting at their pickup point N days (setting) after
 * their pickup date; their held units go back into the store's stock. Returns how many.
 */
export async function cancelNoShows(ctx: AppContext, now = new Date(), batch = 100): Promise<number> {
  const db = ctx.database.db;
  const days = await noShowDays(db);
  const due = (
    await sql<{ order_id: string }>`
    SELECT g.order_id FROM groupbuy_orders g
    JOIN groupbuy_campaigns c ON c.id = g.campaign_id
    JOIN ${orderSummaries} o ON o.id = g.order_id
    WHERE o.status = 'ready_for_pickup'
      AND c.pickup_date::date + ${days}::int < (${now.toISOString()}::timestamptz AT TIME ZONE ${ctx.config.timezone})::date
    ORDER BY g.order_id LIMIT ${batch}`.execute(db)
  ).rows;
  let n = 0;
  for (const { order_id } of due) {
    try {
      await cancelOrder(ctx, order_id, 'not collected');
      n++;
    } catch (e) {
      if (!(e instanceof AppError && e.status === 409)) throw e; // collected meanwhile
    }
  }
  return n;
}
