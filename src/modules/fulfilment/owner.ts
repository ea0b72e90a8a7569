import { sql } from 'kysely';
import type { Owner } from '../../platform/auth/policy';
import type { Queryable } from '../../platform/db/database';
import { orderSummaries } from '../orders/public';

/** Who owns a fulfilment: the location doing it, and the channel and customer of its order. */
export async function fulfilmentOwner(db: Queryable, id: string): Promise<Owner | null> {
  const { rows } = await sql<{ location_id: string; channel: string; customer_id: string | null }>`
    SELECT f.location_id, o.channel, o.customer_id
    FROM fulfillments f JOIN ${orderSummaries} o ON o.id = f.order_id
    WHERE f.id = ${id}`.execute(db);
  const f = rows[0];
  return f ? { channel: f.channel, locations: [f.location_id], customerId: f.customer_id } : null;
}
