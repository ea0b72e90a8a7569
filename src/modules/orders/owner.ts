import type { Owner } from '../../platform/auth/policy';
import type { Queryable } from '../../platform/db/database';

/** Who owns an order: its channel, the store that sold it and every location fulfilling it. */
export async function orderOwner(db: Queryable, id: string): Promise<Owner | null> {
  const o = await db.selectFrom('orders').select(['channel', 'location_id', 'customer_id']).where('id', '=', id).executeTakeFirst();
  if (!o) return null;
  const fulfilling = await db.selectFrom('fulfillments').select('location_id').where('order_id', '=', id).execute();
  const locations = [...new Set([o.location_id, ...fulfilling.map((f) => f.location_id)].filter((l): l is string => l !== null))];
  return { channel: o.channel, locations, customerId: o.customer_id };
}

/** Who owns a fulfilment: the location doing it, and the channel and customer of its order. */
export async function fulfilmentOwner(db: Queryable, id: string): Promise<Owner | null> {
  const f = await db
    .selectFrom('fulfillments as f')
    .innerJoin('orders as o', 'o.id', 'f.order_id')
    .select(['f.location_id', 'o.channel', 'o.customer_id'])
    .where('f.id', '=', id)
    .executeTakeFirst();
  return f ? { channel: f.channel, locations: [f.location_id], customerId: f.customer_id } : null;
}
