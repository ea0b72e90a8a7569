/**
 * The cutoff and the consolidated shipments (one per campaign and pickup point), then each store's
 * receipt. An order still unpaid at the cutoff is cancelled then (its units released at the source,
 * its claim on the limits given back): members pay as they order, as in any 社区团购 mini-program,
 * and one shipment per point would leave an order paid later behind.
 *
 * Locks (platform/db/locks.ts): the cutoff updates the campaign row alone, in its own transaction,
 * so orders claiming at that moment finish first (they hold it FOR SHARE) or see it closed; each
 * unpaid order is cancelled in its own transaction (orders' cancel); a shipment or a receipt locks
 * its orders (rank 1), then its shipment row, then the stock (rank 4, inventory's shipHeld /
 * receiveHeld).
 */
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { Tx } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import type { AppContext } from '../../platform/http/context';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { productNamesOf } from '../catalog/public';
import { allocationsOf, applyEvent } from '../fulfilment/public';
import { receiveHeld, shipHeld } from '../inventory/public';
import { cancelOrder } from '../orders/lifecycle';
import { lockOrders, orderSummaries } from '../orders/public';
import { linesBySku } from './campaigns';

async function shipPoint(
  tx: Tx,
  c: { id: string; source_location_id: string },
  locationId: string,
  now: Date,
): Promise<void> {
  const ids = (
    await tx
      .selectFrom('groupbuy_orders')
      .select('order_id')
      .where('campaign_id', '=', c.id)
      .where('location_id', '=', locationId)
      .execute()
  ).map((r) => r.order_id);
  const statuses = await lockOrders(tx, ids);
  const done = await tx
    .selectFrom('groupbuy_shipments')
    .select('id')
    .where('campaign_id', '=', c.id)
    .where('location_id', '=', locationId)
    .executeTakeFirst();
  if (done) return;
  // Paid orders go (the cutoff cancelled the unpaid ones; cancelled ones stay).
  const paid = ids.filter((id) => statuses.get(id) === 'paid');
  const id = newId('gbs', now.getTime());
  const lines = await shipHeld(tx, paid, c.source_location_id, id, now);
  if (lines.length === 0) return;
  await tx
    .insertInto('groupbuy_shipments')
    .values({
      id,
      campaign_id: c.id,
      location_id: locationId,
      source_location_id: c.source_location_id,
      order_ids: [...new Set(lines.map((l) => l.order_id))],
      lines: JSON.stringify(lines),
      shipped_at: now,
      received_at: null,
    })
    .execute();
}

/**
 * Applies a campaign's cutoff (now, if it was not reached yet: POST …/ship): no more orders, the
 * unpaid ones cancelled (one paid meanwhile stays paid: each is cancelled under its order's lock
 * only if still unpaid, and a payment after that is refused). Then ships the paid orders' units from
 * the source to each pickup point: the source's on hand down (`transfer_out`), in transit until
 * received. Safe to repeat and from several processes.
 */
export async function shipCampaign(ctx: AppContext, campaignId: string, now = new Date()): Promise<boolean> {
  const db = ctx.database.db;
  const c = await transact(ctx.database, (tx) =>
    tx
      .updateTable('groupbuy_campaigns')
      .set((eb) => ({ closed_at: eb.fn.coalesce('closed_at', eb.val(now)) }))
      .where('id', '=', campaignId)
      .returning(['id', 'source_location_id', 'shipped_at'])
      .executeTakeFirst(),
  );
  if (!c) return false;
  if (c.shipped_at) return true;
  const unpaid = await sql<{ order_id: string }>`
    SELECT g.order_id FROM groupbuy_orders g JOIN ${orderSummaries} o ON o.id = g.order_id
    WHERE g.campaign_id = ${c.id} AND o.status = 'pending_payment' ORDER BY g.order_id`.execute(db);
  for (const o of unpaid.rows)
    await cancelOrder(ctx, o.order_id, 'unpaid at the group-buy cutoff', { onlyIfUnpaid: true });
  const points = await db
    .selectFrom('groupbuy_orders')
    .select('location_id')
    .distinct()
    .where('campaign_id', '=', c.id)
    .orderBy('location_id')
    .execute();
  for (const p of points) await transact(ctx.database, (tx) => shipPoint(tx, c, p.location_id, now));
  await db
    .updateTable('groupbuy_campaigns')
    .set({ shipped_at: now })
    .where('id', '=', c.id)
    .where('shipped_at', 'is', null)
    .execute();
  return true;
}

/** Ships the campaigns whose cutoff passed (the dispatcher's periodic task). */
export async function shipDueCampaigns(ctx: AppContext, now = new Date()): Promise<number> {
  const due = await ctx.database.db
    .selectFrom('groupbuy_campaigns')
    .select('id')
    .where('shipped_at', 'is', null)
    .where('cutoff_at', '<=', now)
    .orderBy('cutoff_at')
    .limit(20)
    .execute();
  for (const c of due) await shipCampaign(ctx, c.id, now);
  return due.length;
}

/**
 * The store confirms a shipment's arrival: the units enter its stock (`transfer_in`), held for their
 * orders, and each order still paid becomes ready for pickup (its pickup code collects it).
 */
export async function receiveShipment(
  ctx: AppContext,
  principal: Principal,
  campaignId: string,
  locationId: string,
  now = new Date(),
) {
  if (principal.role === 'store_staff' && principal.locationId !== locationId)
    throw forbidden('store staff receive only at their own store');
  const db = ctx.database.db;
  const found = await db
    .selectFrom('groupbuy_shipments')
    .select(['id', 'order_ids'])
    .where('campaign_id', '=', campaignId)
    .where('location_id', '=', locationId)
    .executeTakeFirst();
  if (!found) {
    const exists = await db
      .selectFrom('groupbuy_campaigns')
      .select('id')
      .where('id', '=', campaignId)
      .executeTakeFirst();
    if (!exists) throw notFound('campaign', 'id');
    throw conflict('not_shipped', 'nothing of this campaign was shipped to this location', 'location_id');
  }
  const shipment = await transact(ctx.database, async (tx) => {
    const statuses = await lockOrders(tx, found.order_ids);
    const s = await tx
      .selectFrom('groupbuy_shipments')
      .selectAll()
      .where('id', '=', found.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (s.received_at) throw conflict('already_received', 'this shipment was received already', 'location_id');
    const live = s.lines.filter((l) => statuses.get(l.order_id) === 'paid');
    const fulfilments = new Map<string, string>();
    for (const orderId of [...new Set(live.map((l) => l.order_id))]) {
      const f = (await allocationsOf(tx, orderId))[0];
      fulfilments.set(orderId, f.id);
      await applyEvent(tx, f.id, 'ready_for_pickup', now, `group_buy:${principal.keyId}`, principal);
    }
    await receiveHeld(
      tx,
      locationId,
      live.map((l) => ({ ...l, fulfillment_id: fulfilments.get(l.order_id)! })),
      s.id,
    );
    return tx
      .updateTable('groupbuy_shipments')
      .set({ received_at: now })
      .where('id', '=', s.id)
      .returningAll()
      .executeTakeFirstOrThrow()
      .then((r) => ({ ...r, ready: fulfilments.size }));
  });
  const names = await productNamesOf(db, [...new Set(shipment.lines.map((l) => l.sku))]);
  return {
    id: shipment.id,
    campaign_id: shipment.campaign_id,
    location_id: shipment.location_id,
    source_location_id: shipment.source_location_id,
    shipped_at: shipment.shipped_at.toISOString(),
    received_at: shipment.received_at!.toISOString(),
    orders: shipment.ready,
    lines: linesBySku(shipment.lines, names),
  };
}
