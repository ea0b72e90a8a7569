import type { Queryable } from '../../platform/db/database';
import { getSetting } from '../../platform/settings';

/**
 * The group-buy setting (key `group_buy`): the days after its pickup day an uncollected order is
 * cancelled, and where the share page's order links lead (a URL template with {campaign}, {leader}
 * and {sku}: the retailer's mini-program or shop page).
 */
export interface GroupBuySetting {
  no_show_days?: number;
  order_url?: string;
}

export async function groupBuySetting(db: Queryable): Promise<GroupBuySetting> {
  return (await getSetting<GroupBuySetting>(db, 'group_buy')) ?? {};
}
