/**
 * A group-buy order's terms (registered with orders, orders/group-buy.ts): the campaign must be open
 * (422 campaign_closed), the leader active and running it, every line one of its items; its limits
 * are claimed in the order's transaction, race-free across processes: the campaign row FOR SHARE
 * (the cutoff updates it, so an order claiming meanwhile finishes first or sees it closed), then per
 * item, in byte order of SKU, one conditional update of `sold` and one of the customer's units
 * (platform/db/locks.ts, rank 3b). An order cancelled or expired gives its units back in the same
 * order (releaseClaim), so the limits free up.
 */
import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { byteOrder } from '../../platform/db/locks';
import { conflict, unprocessable } from '../../platform/http/errors';
import { orderLines, type GroupBuyRelease, type GroupBuyTermsOf } from '../orders/public';

type Window = { opens_at: Date; cutoff_at: Date; closed_at: Date | null };

function assertOpen(c: Window, now: Date): void {
  if (c.closed_at || now < c.opens_at || now >= c.cutoff_at)
    throw unprocessable(
      'campaign_closed',
      `the campaign takes orders from ${c.opens_at.toISOString()} until ${c.cutoff_at.toISOString()}`,
      'group_buy.campaign_id',
      { opens_at: c.opens_at.toISOString(), cutoff_at: c.cutoff_at.toISOString() },
    );
}

type Item = { sku: string; price: string; total_limit: number | null; per_customer_limit: number | null };

const overLimit = (sku: string, line: number, limit: number, kind: 'total' | 'per_customer') =>
  conflict(
    kind === 'total' ? 'group_buy_sold_out' : 'group_buy_customer_limit',
    kind === 'total'
      ? `${sku}: the campaign's ${limit} units are taken`
      : `${sku}: at most ${limit} per customer in this campaign`,
    `lines[${line}]`,
    { sku, limit },
  );

async function claim(
  tx: Tx,
  campaignId: string,
  leader: { id: string; location_id: string; commission_bp: number },
  order: { customerId: string; lines: { sku: string; qty: number }[] },
  items: Map<string, Item>,
  orderId: string,
  now: Date,
): Promise<void> {
  const c = await tx
    .selectFrom('groupbuy_campaigns')
    .select(['opens_at', 'cutoff_at', 'closed_at'])
    .where('id', '=', campaignId)
    .forShare()
    .executeTakeFirstOrThrow();
  assertOpen(c, now);
  const lines = order.lines.map((l, i) => ({ ...l, i })).sort((a, b) => byteOrder(a.sku, b.sku));
  for (const l of lines) {
    const item = items.get(l.sku)!;
    const sold = await sql`UPDATE groupbuy_items SET sold = sold + ${l.qty}
      WHERE campaign_id = ${campaignId} AND sku = ${l.sku} AND (total_limit IS NULL OR sold + ${l.qty} <= total_limit)
      RETURNING sold`.execute(tx);
    if (sold.rows.length === 0) throw overLimit(l.sku, l.i, item.total_limit!, 'total');
    if (item.per_customer_limit === null) continue;
    const mine = await sql`INSERT INTO groupbuy_customer_units AS u (campaign_id, sku, customer_id, qty)
      VALUES (${campaignId}, ${l.sku}, ${order.customerId}, ${l.qty})
      ON CONFLICT (campaign_id, sku, customer_id) DO UPDATE SET qty = u.qty + excluded.qty
      WHERE u.qty + excluded.qty <= ${item.per_customer_limit}
      RETURNING qty`.execute(tx);
    if (mine.rows.length === 0) throw overLimit(l.sku, l.i, item.per_customer_limit, 'per_customer');
  }
  await tx
    .insertInto('groupbuy_orders')
    .values({
      order_id: orderId,
      campaign_id: campaignId,
      leader_id: leader.id,
      location_id: leader.location_id,
      customer_id: order.customerId,
      commission_bp: leader.commission_bp,
      placed_at: now,
    })
    .execute();
}

export const campaignTerms: GroupBuyTermsOf = async (db: Queryable, ref, order, now) => {
  const [c, leader, rows] = await Promise.all([
    db.selectFrom('groupbuy_campaigns').selectAll().where('id', '=', ref.campaign_id).executeTakeFirst(),
    db
      .selectFrom('groupbuy_leaders')
      .select(['id', 'location_id', 'commission_bp', 'status'])
      .where('id', '=', ref.leader_id)
      .executeTakeFirst(),
    db
      .selectFrom('groupbuy_items')
      .select(['sku', 'price', 'total_limit', 'per_customer_limit'])
      .where('campaign_id', '=', ref.campaign_id)
      .execute(),
  ]);
  if (!c) throw unprocessable('unknown_campaign', `no campaign ${ref.campaign_id}`, 'group_buy.campaign_id');
  assertOpen(c, now);
  if (!leader || leader.status !== 'active')
    throw unprocessable('unknown_leader', `no active leader ${ref.leader_id}`, 'group_buy.leader_id');
  if (c.location_ids.length > 0 && !c.location_ids.includes(leader.location_id))
    throw unprocessable(
      'leader_not_in_campaign',
      "the campaign does not run at this leader's point",
      'group_buy.leader_id',
    );
  const items = new Map(rows.map((r) => [r.sku, r]));
  order.lines.forEach((l, i) => {
    const item = items.get(l.sku);
    if (!item) throw unprocessable('not_in_campaign', `${l.sku} is not sold in this campaign`, `lines[${i}].sku`);
    if (item.per_customer_limit !== null && l.qty > item.per_customer_limit)
      throw overLimit(l.sku, i, item.per_customer_limit, 'per_customer');
    if (item.total_limit !== null && l.qty > item.total_limit) throw overLimit(l.sku, i, item.total_limit, 'total');
  });
  return {
    pickupLocationId: leader.location_id,
    pickupDate: c.pickup_date,
    sourceLocationId: c.source_location_id,
    prices: new Map(rows.map((r) => [r.sku, Number(r.price)])),
    claim: (tx, orderId) => claim(tx, c.id, leader, order, items, orderId, now),
  };
};

/**
 * Gives back a group-buy order's units to its campaign's `sold` and to its customer's count, item by
 * item in byte order of SKU (rank 3b; the campaign row is not needed: nothing is checked against the
 * cutoff). Orders calls it once, as the order is cancelled or expires; nothing for an order that is
 * not a campaign's.
 */
export const releaseClaim: GroupBuyRelease = async (tx, orderId) => {
  const g = await tx
    .selectFrom('groupbuy_orders')
    .select(['campaign_id', 'customer_id'])
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!g) return;
  const lines = (
    await sql<{ sku: string; qty: number }>`
      SELECT l.sku, sum(l.qty)::int AS qty FROM ${orderLines} l WHERE l.order_id = ${orderId} GROUP BY l.sku`.execute(
      tx,
    )
  ).rows.sort((a, b) => byteOrder(a.sku, b.sku));
  for (const l of lines) {
    await sql`UPDATE groupbuy_items SET sold = sold - ${l.qty}
      WHERE campaign_id = ${g.campaign_id} AND sku = ${l.sku}`.execute(tx);
    await sql`UPDATE groupbuy_customer_units SET qty = qty - ${l.qty}
      WHERE campaign_id = ${g.campaign_id} AND sku = ${l.sku} AND customer_id = ${g.customer_id}`.execute(tx);
  }
};
