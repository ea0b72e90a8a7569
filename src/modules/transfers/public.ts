import type { Queryable } from '../../platform/db/database';

/** What other modules may know of transfers: these functions, never the tables. */

async function requestedUnits(
  db: Queryable,
  side: 't.to_location_id' | 't.from_location_id',
  locationId: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('transfer_lines as l')
    .innerJoin('transfers as t', 't.id', 'l.transfer_id')
    .select(['l.sku', (eb) => eb.fn.sum<string>('l.qty').as('qty')])
    .where(side, '=', locationId)
    .where('t.status', '=', 'requested')
    .groupBy('l.sku')
    .execute();
  return new Map(rows.map((r) => [r.sku, Number(r.qty)]));
}

/** Units per SKU requested to a location by transfers not yet shipped (on order, not yet in transit). */
export const requestedInbound = (db: Queryable, locationId: string) =>
  requestedUnits(db, 't.to_location_id', locationId);

/** Units per SKU requested from a location by transfers it has not shipped yet (promised away). */
export const requestedOutbound = (db: Queryable, locationId: string) =>
  requestedUnits(db, 't.from_location_id', locationId);
