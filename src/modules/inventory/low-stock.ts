import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { publish } from '../../platform/events/outbox';
import { getSetting, putSetting } from '../../platform/settings';
import { storeIdsWithin } from '../locations/public';
import { haversineKm } from '../routing/public';

/** A region is all stores, or the stores within radius_km of a point. */
export interface Region {
  id: string;
  lat?: number;
  lng?: number;
  radius_km?: number;
}

export interface LowStockPolicy {
  /** Online-available units below which a SKU is low in a region. */
  threshold: number;
  regions: Region[];
  /**
   * Available units (on hand − reserved) at or below which any SKU is low at a location, unless
   * the product has its own rule (low-levels.ts); absent: off.
   */
  store_threshold?: number;
}

export const DEFAULT_LOW_STOCK: LowStockPolicy = { threshold: 5, regions: [{ id: 'all' }] };

export async function getLowStockPolicy(db: Queryable): Promise<LowStockPolicy> {
  return (await getSetting<LowStockPolicy>(db, 'low_stock_policy')) ?? DEFAULT_LOW_STOCK;
}

export async function setLowStockPolicy(db: Queryable, p: LowStockPolicy): Promise<void> {
  await putSetting(db, 'low_stock_policy', p);
}

/**
 * Re-evaluates these SKUs in every region. On a crossing below the threshold it publishes
 * `stock.low` once and pauses promotions on the SKU in that region; on recovery `stock.restored`.
 */
export async function evaluateLowStock(tx: Tx, skus: string[]): Promise<void> {
  if (skus.length === 0) return;
  const policy = await getLowStockPolicy(tx);
  for (const region of policy.regions) {
    const { lat, lng, radius_km } = region;
    const area = lat !== undefined && lng !== undefined && radius_km !== undefined ? { lat, lng, radius_km } : null;
    const rows = (
      await sql<{ sku: string; available: string }>`
        SELECT p.sku, coalesce(sum(greatest(0, s.on_hand - s.reserved - s.safety_stock)), 0)::text AS available
        FROM unnest(${skus}::text[]) AS p(sku)
        LEFT JOIN stock s ON s.sku = p.sku AND s.location_id IN ${storeIdsWithin(area)}
        GROUP BY p.sku`.execute(tx)
    ).rows;
    for (const r of rows) {
      const available = Number(r.available);
      const state = available < policy.threshold ? 'low' : 'ok';
      // Make sure the row exists before locking it, so two dispatchers cannot both see "no alert yet".
      await tx
        .insertInto('stock_alerts')
        .values({ sku: r.sku, region: region.id, state: 'ok', available, threshold: policy.threshold })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const prev = await tx
        .selectFrom('stock_alerts')
        .select('state')
        .where('sku', '=', r.sku)
        .where('region', '=', region.id)
        .forUpdate()
        .executeTakeFirst();
      if ((prev?.state ?? 'ok') === state) {
        if (prev)
          await tx
            .updateTable('stock_alerts')
            .set({ available, threshold: policy.threshold })
            .where('sku', '=', r.sku)
            .where('region', '=', region.id)
            .execute();
        continue;
      }
      await tx
        .insertInto('stock_alerts')
        .values({ sku: r.sku, region: region.id, state, available, threshold: policy.threshold })
        .onConflict((oc) =>
          oc
            .columns(['sku', 'region'])
            .doUpdateSet({ state, available, threshold: policy.threshold, changed_at: new Date() }),
        )
        .execute();
      if (state === 'low') {
        await tx
          .insertInto('promotion_pauses')
          .values({
            sku: r.sku,
            region: region.id,
            reason: `online stock ${available} below ${policy.threshold}`,
            resumed_at: null,
          })
          .execute();
      } else {
        await tx
          .updateTable('promotion_pauses')
          .set({ resumed_at: new Date() })
          .where('sku', '=', r.sku)
          .where('region', '=', region.id)
          .where('resumed_at', 'is', null)
          .execute();
      }
      await publish(tx, {
        aggregateType: 'stock_region',
        aggregateId: `${region.id}:${r.sku}`,
        type: state === 'low' ? 'stock.low' : 'stock.restored',
        payload: {
          sku: r.sku,
          region: region.id,
          online_available: available,
          threshold: policy.threshold,
          promotions_paused: state === 'low',
        },
      });
    }
  }
}

/** Whether promotions on a SKU are paused (in any region, or the given one). Pricing asks this. */
export async function promotionsPaused(
  db: Queryable,
  sku: string,
  region?: string,
): Promise<{ paused: boolean; reason: string | null }> {
  let q = db
    .selectFrom('promotion_pauses')
    .select(['region', 'reason'])
    .where('sku', '=', sku)
    .where('resumed_at', 'is', null);
  if (region) q = q.where('region', '=', region);
  const row = await q.executeTakeFirst();
  return row ? { paused: true, reason: `${row.reason} in region ${row.region}` } : { paused: false, reason: null };
}

/**
 * The SKUs among these whose promotions are paused where the order is served: a pause in a region
 * covering `at` (all stores, or a radius around a point), or anywhere when `at` is unknown.
 */
export async function pausedPromotions(
  db: Queryable,
  skus: string[],
  at: { lat: number; lng: number } | null,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (skus.length === 0) return out;
  const rows = await db
    .selectFrom('promotion_pauses')
    .select(['sku', 'region', 'reason'])
    .where('sku', 'in', skus)
    .where('resumed_at', 'is', null)
    .execute();
  if (rows.length === 0) return out;
  const regions = new Map((await getLowStockPolicy(db)).regions.map((r) => [r.id, r]));
  for (const r of rows) {
    const region = regions.get(r.region);
    const covers =
      !at ||
      !region ||
      region.lat === undefined ||
      region.lng === undefined ||
      region.radius_km === undefined ||
      haversineKm(at.lat, at.lng, region.lat, region.lng) <= region.radius_km;
    if (covers && !out.has(r.sku)) out.set(r.sku, `${r.reason} in region ${r.region}`);
  }
  return out;
}

export async function listLowStock(db: Queryable) {
  const rows = await db
    .selectFrom('stock_alerts')
    .selectAll()
    .where('state', '=', 'low')
    .orderBy('changed_at', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    sku: r.sku,
    region: r.region,
    online_available: r.available,
    threshold: r.threshold,
    since: r.changed_at.toISOString(),
  }));
}
