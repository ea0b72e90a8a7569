import type { Queryable } from '../../platform/db/database';
import { productNamesOf } from '../catalog/public';
import { locationName } from '../locations/public';
import { statusOf } from './campaigns';
import { groupBuySetting } from './setting';

/** What a leader's share page shows of a campaign: nothing private (no customer, no sales in fen). */
export interface SharedCampaign {
  id: string;
  title: string;
  status: ReturnType<typeof statusOf>;
  cutoff_at: Date;
  pickup_date: string;
  leader: { id: string; display_name: string; location_name: string };
  items: {
    sku: string;
    name: string;
    price: number;
    sold: number;
    total_limit: number | null;
    per_customer_limit: number | null;
  }[];
}

/**
 * A campaign as its leader shares it, or null when there is no such campaign, no such active
 * leader, or the campaign does not run at the leader's point.
 */
export async function sharedCampaign(
  db: Queryable,
  campaignId: string,
  leaderId: string,
): Promise<SharedCampaign | null> {
  const [c, leader, items] = await Promise.all([
    db.selectFrom('groupbuy_campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst(),
    db
      .selectFrom('groupbuy_leaders')
      .select(['id', 'display_name', 'location_id'])
      .where('id', '=', leaderId)
      .where('status', '=', 'active')
      .executeTakeFirst(),
    db.selectFrom('groupbuy_items').selectAll().where('campaign_id', '=', campaignId).orderBy('sku').execute(),
  ]);
  if (!c || !leader || (c.location_ids.length > 0 && !c.location_ids.includes(leader.location_id))) return null;
  const [names, point] = await Promise.all([
    productNamesOf(
      db,
      items.map((i) => i.sku),
    ),
    locationName(db, leader.location_id),
  ]);
  return {
    id: c.id,
    title: c.title,
    status: statusOf(c),
    cutoff_at: c.cutoff_at,
    pickup_date: c.pickup_date,
    leader: { id: leader.id, display_name: leader.display_name, location_name: point ?? leader.location_id },
    items: items.map((i) => ({
      sku: i.sku,
      name: names.get(i.sku) ?? i.sku,
      price: Number(i.price),
      sold: i.sold,
      total_limit: i.total_limit,
      per_customer_limit: i.per_customer_limit,
    })),
  };
}

/** Where the page's order links lead unless the setting says (GroupBuySetting.order_url). */
const DEFAULT_ORDER_URL = '/shop?channel=group_buy&campaign={campaign}&leader={leader}&sku={sku}';

export async function orderUrlTemplate(db: Queryable): Promise<string> {
  return (await groupBuySetting(db)).order_url ?? DEFAULT_ORDER_URL;
}
