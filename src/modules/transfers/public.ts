import type { Queryable } from '../../platform/db/database';

/** What other modules may know of transfers: these functions, never the tables. */

/** Units per SKU requested to a location by transfers not yet shipped (on order, not yet in transit). */
export async function requestedInbound(db: Queryable, locationId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('transfer_lines as l')
    .innerJoin('transfers as t', 't.id', 'l.transfer_id')
    .select(['l.sku', (eb) => eb.fn.sum<string>('l.qty').as('qty')])
    .where('t.to_location_id', '=', locationId)
    .where('t.status', '=', 'requested')
    .groupBy('l.sku')
    .execute();
  return new Map(rows.map((r) => [r.sku, Number(r.qty)]));
}
