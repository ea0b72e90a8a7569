import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import { DEMO_LOCATIONS } from './retailer';

/**
 * The demo retailer's community group-buy (社区团购): a leader (团长) at each of the first three
 * stores (a member of the demo, 8 % commission), and a campaign running now (opened yesterday,
 * cutoff tomorrow 22:00, pickup the day after) on three products from the DC at 85 %
 * of their list price, 200 units each, at most 3 per member. Bounded: a handful of rows.
 */
export async function seedDemoGroupBuy(database: Database, anchor: Date): Promise<void> {
  const db = database.db;
  const stores = DEMO_LOCATIONS.filter((l) => l.type === 'store').slice(0, 3);
  const dc = DEMO_LOCATIONS.find((l) => l.type === 'dc')!;
  const members = await sql<{ id: string }>`
    SELECT id FROM customers WHERE root_id IS NULL AND erased_at IS NULL ORDER BY id LIMIT ${stores.length}`.execute(
    db,
  );
  const names = ['王姐', '李阿姨', '张老师'];
  await db
    .insertInto('groupbuy_leaders')
    .values(
      members.rows.map((m, i) => ({
        id: `gbl-demo-${i + 1}`,
        customer_id: m.id,
        location_id: stores[i].id,
        display_name: names[i],
        commission_bp: 800,
      })),
    )
    .execute();
  const products = await sql<{ sku: string; list_price: string }>`
    SELECT sku, list_price FROM products WHERE 'group_buy' = ANY(channels) ORDER BY sku LIMIT 3`.execute(db);
  if (products.rows.length === 0) return;
  const day = (offset: number) => new Date(anchor.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  await db
    .insertInto('groupbuy_campaigns')
    .values({
      id: 'gbc-demo-1',
      title: '周末社区团',
      location_ids: stores.map((s) => s.id),
      opens_at: new Date(anchor.getTime() - 86_400_000),
      cutoff_at: new Date(`${day(1)}T14:00:00Z`),
      pickup_date: day(2),
      source_location_id: dc.id,
      closed_at: null,
      shipped_at: null,
    })
    .execute();
  await db
    .insertInto('groupbuy_items')
    .values(
      products.rows.map((p) => ({
        campaign_id: 'gbc-demo-1',
        sku: p.sku,
        price: Math.round(Number(p.list_price) * 0.85),
        total_limit: 200,
        per_customer_limit: 3,
      })),
    )
    .execute();
}
