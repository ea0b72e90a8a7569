import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { stockLevels } from '../inventory/public';
import { openShopsNear } from '../locations/public';
import { whereIs } from '../segments/public';

/**
 * A journey's pick_store step: the nearest open shop within `km` of where the person is (as the
 * segments' near_store leaf measures it: last delivery coordinates, else home store, else first
 * POS sale's store) that can sell them the SKU now (on hand − reserved > 0, as the till sells;
 * safety stock is for online orders). Ties by id. Null: nobody knows where they are, or no such shop.
 */
export async function pickStore(db: Queryable, root: string, km: number, sku: string): Promise<string | null> {
  const at = await whereIs(db, root);
  if (!at) return null;
  const r = await sql<{ id: string }>`
    SELECT l.id FROM ${openShopsNear(at, km)} l
    JOIN ${stockLevels} s ON s.location_id = l.id AND s.sku = ${sku}
    WHERE s.on_hand - s.reserved > 0
    ORDER BY l.km, l.id LIMIT 1`.execute(db);
  return r.rows[0]?.id ?? null;
}
