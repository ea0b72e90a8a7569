import type { Owner } from '../../platform/auth/policy';
import type { Queryable } from '../../platform/db/database';
import { fulfillingLocations } from '../fulfilment/public';

/** Who owns an order: its channel, the store that sold it and every location fulfilling it. */
export async function orderOwner(db: Queryable, id: string): Promise<Owner | null> {
  const o = await db
    .selectFrom('orders')
    .select(['channel', 'location_id', 'customer_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!o) return null;
  const fulfilling = await fulfillingLocations(db, id);
  const locations = [...new Set([o.location_id, ...fulfilling].filter((l): l is string => l !== null))];
  return { channel: o.channel, locations, customerId: o.customer_id };
}
