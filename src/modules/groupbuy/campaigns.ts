import { sql, type Selectable } from 'kysely';
import type { Static } from '@sinclair/typebox';
import type { Queryable } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import type { AppContext } from '../../platform/http/context';
import { unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { productNamesOf } from '../catalog/public';
import { orderLines, orderSummaries } from '../orders/public';
import type { CampaignBody, CampaignSchema } from './schemas';
import type { GroupbuyCampaignsTable, ShipmentLine } from './tables';

type Campaign = Selectable<GroupbuyCampaignsTable>;
type CampaignView = Static<typeof CampaignSchema>;

/** Orders of a campaign that still count: not cancelled or expired. */
const LIVE = sql`o.status NOT IN ('cancelled', 'expired')`;

export function statusOf(c: Campaign, now = new Date()): CampaignView['status'] {
  if (c.shipped_at) return 'shipped';
  if (c.closed_at || now >= c.cutoff_at) return 'closed';
  return now >= c.opens_at ? 'open' : 'scheduled';
}

export async function createCampaign(ctx: AppContext, body: Static<typeof CampaignBody>): Promise<CampaignView> {
  const db = ctx.database.db;
  const opens = new Date(body.opens_at);
  const cutoff = new Date(body.cutoff_at);
  if (cutoff <= opens) throw unprocessable('invalid_cutoff', 'cutoff_at is after opens_at', 'cutoff_at');
  if (body.pickup_date < body.cutoff_at.slice(0, 10))
    throw unprocessable('invalid_pickup_date', 'pickup_date is not before the cutoff day', 'pickup_date');
  if (!(await ctx.locationExists(db, body.source_location_id)))
    throw unprocessable('unknown_location', `location ${body.source_location_id} does not exist`, 'source_location_id');
  for (const [i, id] of (body.location_ids ?? []).entries())
    if (!(await ctx.locationExists(db, id)))
      throw unprocessable('unknown_location', `location ${id} does not exist`, `location_ids[${i}]`);
  const names = await productNamesOf(
    db,
    body.items.map((i) => i.sku),
  );
  const seen = new Set<string>();
  body.items.forEach((item, i) => {
    if (seen.has(item.sku)) throw unprocessable('duplicate_sku', `${item.sku} appears twice`, `items[${i}].sku`);
    seen.add(item.sku);
    if (!names.has(item.sku)) throw unprocessable('unknown_sku', `no product ${item.sku}`, `items[${i}].sku`);
  });
  const id = newId('gbc');
  await transact(ctx.database, async (tx) => {
    await tx
      .insertInto('groupbuy_campaigns')
      .values({
        id,
        title: body.title,
        location_ids: [...new Set(body.location_ids ?? [])],
        opens_at: opens,
        cutoff_at: cutoff,
        pickup_date: body.pickup_date,
        source_location_id: body.source_location_id,
        closed_at: null,
        shipped_at: null,
      })
      .execute();
    await tx
      .insertInto('groupbuy_items')
      .values(
        body.items.map((i) => ({
          campaign_id: id,
          sku: i.sku,
          price: i.price,
          total_limit: i.total_limit ?? null,
          per_customer_limit: i.per_customer_limit ?? null,
        })),
      )
      .execute();
  });
  return (await readCampaign(ctx, id))!;
}

export async function readCampaign(ctx: AppContext, id: string): Promise<CampaignView | null> {
  const db = ctx.database.db;
  const c = await db.selectFrom('groupbuy_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) return null;
  const [items, points, shipments, leaders] = await Promise.all([
    db.selectFrom('groupbuy_items').selectAll().where('campaign_id', '=', id).orderBy('sku').execute(),
    sql<{ location_id: string; orders: string; units: string; sales: string }>`
      SELECT g.location_id, count(*) AS orders, coalesce(sum(u.units), 0) AS units, coalesce(sum(o.total), 0) AS sales
      FROM groupbuy_orders g JOIN ${orderSummaries} o ON o.id = g.order_id
      LEFT JOIN LATERAL (SELECT sum(l.qty) AS units FROM ${orderLines} l WHERE l.order_id = g.order_id) u ON true
      WHERE g.campaign_id = ${id} AND ${LIVE}
      GROUP BY g.location_id ORDER BY g.location_id`.execute(db),
    db.selectFrom('groupbuy_shipments').selectAll().where('campaign_id', '=', id).execute(),
    db
      .selectFrom('groupbuy_leaders')
      .select(['id', 'display_name', 'location_id'])
      .where('status', '=', 'active')
      .$if(c.location_ids.length > 0, (q) => q.where('location_id', 'in', c.location_ids))
      .orderBy('id')
      .limit(200)
      .execute(),
  ]);
  const skus = [...new Set([...items.map((i) => i.sku), ...shipments.flatMap((s) => s.lines.map((l) => l.sku))])];
  const names = await productNamesOf(db, skus);
  const byPoint = new Map(points.rows.map((p) => [p.location_id, p]));
  const pointIds = [...new Set([...byPoint.keys(), ...shipments.map((s) => s.location_id)])].sort();
  return {
    id: c.id,
    title: c.title,
    status: statusOf(c),
    opens_at: c.opens_at.toISOString(),
    cutoff_at: c.cutoff_at.toISOString(),
    pickup_date: c.pickup_date,
    source_location_id: c.source_location_id,
    location_ids: c.location_ids,
    items: items.map((i) => ({
      sku: i.sku,
      product_name: names.get(i.sku) ?? null,
      price: Number(i.price),
      total_limit: i.total_limit,
      per_customer_limit: i.per_customer_limit,
      sold: i.sold,
    })),
    points: pointIds.map((loc) => {
      const p = byPoint.get(loc);
      const s = shipments.find((x) => x.location_id === loc);
      return {
        location_id: loc,
        orders: Number(p?.orders ?? 0),
        units: Number(p?.units ?? 0),
        sales: Number(p?.sales ?? 0),
        shipment: s
          ? {
              id: s.id,
              shipped_at: s.shipped_at.toISOString(),
              received_at: s.received_at?.toISOString() ?? null,
              lines: linesBySku(s.lines, names),
            }
          : null,
      };
    }),
    share_links: leaders.map((l) => ({
      leader_id: l.id,
      display_name: l.display_name,
      url: `${ctx.publicUrl}/gb/${encodeURIComponent(c.id)}?leader=${encodeURIComponent(l.id)}`,
    })),
    created_at: c.created_at.toISOString(),
  };
}

/** A shipment's lines summed per SKU, with the product's name. */
export function linesBySku(lines: readonly ShipmentLine[], names: Map<string, string>) {
  const by = new Map<string, number>();
  for (const l of lines) by.set(l.sku, (by.get(l.sku) ?? 0) + l.qty);
  return [...by].sort().map(([sku, qty]) => ({ sku, product_name: names.get(sku) ?? null, qty }));
}

export async function listCampaigns(db: Queryable) {
  const rows = await sql<Campaign & { orders: string; sales: string }>`
    SELECT c.*, count(o.id) AS orders, coalesce(sum(o.total), 0) AS sales
    FROM groupbuy_campaigns c
    LEFT JOIN groupbuy_orders g ON g.campaign_id = c.id
    LEFT JOIN ${orderSummaries} o ON o.id = g.order_id AND ${LIVE}
    GROUP BY c.id ORDER BY c.opens_at DESC, c.id DESC LIMIT 200`.execute(db);
  return rows.rows.map((c) => ({
    id: c.id,
    title: c.title,
    status: statusOf(c),
    opens_at: c.opens_at.toISOString(),
    cutoff_at: c.cutoff_at.toISOString(),
    pickup_date: c.pickup_date,
    orders: Number(c.orders),
    sales: Number(c.sales),
  }));
}
