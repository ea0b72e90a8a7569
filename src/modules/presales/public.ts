import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import './tables';

/** What other modules may know of pre-sales: these functions, never the tables. */

export interface ReservedDemand {
  sku: string;
  location_id: string;
  /** Units reserved and not yet turned into orders (deposit paid, or no deposit asked). */
  units: number;
  /** The earliest launch among the pre-sales of this SKU with such reservations. */
  launch_at: Date;
}

/**
 * Reserved demand per (SKU, store) for stocking up ahead of launches (replenishment, campaign
 * stock-up): reservations held and not yet converted into orders, which then count as orders.
 * Ordered by SKU, then store.
 */
export async function reservedDemand(
  db: Queryable,
  filter: { sku?: string; locationId?: string } = {},
): Promise<ReservedDemand[]> {
  const r = await sql<{ sku: string; location_id: string; units: string; launch_at: Date }>`
    SELECT p.sku, r.location_id, sum(r.qty) AS units, min(p.launch_at) AS launch_at
    FROM presale_reservations r JOIN presales p ON p.id = r.presale_id
    WHERE r.status = 'reserved'
      ${filter.sku !== undefined ? sql`AND p.sku = ${filter.sku}` : sql``}
      ${filter.locationId !== undefined ? sql`AND r.location_id = ${filter.locationId}` : sql``}
    GROUP BY p.sku, r.location_id
    ORDER BY p.sku COLLATE "C", r.location_id COLLATE "C"`.execute(db);
  return r.rows.map((x) => ({
    sku: x.sku,
    location_id: x.location_id,
    units: Number(x.units),
    launch_at: new Date(x.launch_at),
  }));
}
