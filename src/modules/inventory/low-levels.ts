/**
 * Low stock per location (issue 16): every SKU × location whose available units (on hand −
 * reserved) are at or below a rule, and which rules fired:
 * - `safety_stock`: the row's own safety stock (when it has one, > 0);
 * - `product_rule`: the product's low-stock threshold (low_stock_rules), which replaces
 * - `store_threshold`: the policy's threshold for every SKU at every location (setting
 *   `store_threshold` of the low-stock policy; unset: this rule is off).
 * The regional online alerts (low-stock.ts, promotions paused) are a separate list.
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { productNames } from '../catalog/public';
import { getLowStockPolicy } from './low-stock';

export const LOW_RULES = ['safety_stock', 'product_rule', 'store_threshold'] as const;
export type LowRule = (typeof LOW_RULES)[number];

export interface LowLevel {
  location_id: string;
  sku: string;
  name: string;
  on_hand: number;
  reserved: number;
  available: number;
  safety_stock: number;
  /** the product rule's threshold, else the store threshold; null when neither applies */
  threshold: number | null;
  rules: LowRule[];
}

export interface LowLevelQuery {
  location_id?: string;
  rule?: LowRule;
  q?: string;
  cursor?: string;
  limit: number;
}

const RULE_COLUMN: Record<LowRule, keyof Row> = {
  safety_stock: 'by_safety',
  product_rule: 'by_product',
  store_threshold: 'by_store',
};

type Row = Omit<LowLevel, 'rules'> & { by_safety: boolean; by_product: boolean; by_store: boolean };

/** The SKU × location rows at or below a rule, by location and SKU, a page at a time. */
export async function listLowLevels(
  db: Queryable,
  query: LowLevelQuery,
): Promise<{ items: LowLevel[]; next_cursor: string | null }> {
  const after = decodeCursor(query.cursor, 2, ['string', 'string']);
  const storeThreshold = (await getLowStockPolicy(db)).store_threshold ?? null;
  const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` : null;
  const rule = query.rule ? sql`AND ${sql.ref(RULE_COLUMN[query.rule])}` : sql``;
  const rows = (
    await sql<Row>`
      SELECT * FROM (
        SELECT s.location_id, s.sku, p.name, s.on_hand, s.reserved, s.safety_stock,
               s.on_hand - s.reserved AS available,
               coalesce(r.threshold, ${storeThreshold}::int) AS threshold,
               (s.safety_stock > 0 AND s.on_hand - s.reserved <= s.safety_stock) AS by_safety,
               (r.threshold IS NOT NULL AND s.on_hand - s.reserved <= r.threshold) AS by_product,
               (r.threshold IS NULL AND ${storeThreshold}::int IS NOT NULL
                 AND s.on_hand - s.reserved <= ${storeThreshold}::int) AS by_store
        FROM stock s
        JOIN ${productNames} p ON p.sku = s.sku
        LEFT JOIN low_stock_rules r ON r.sku = s.sku
        WHERE TRUE
          ${query.location_id ? sql`AND s.location_id = ${query.location_id}` : sql``}
          ${pattern ? sql`AND (p.name ILIKE ${pattern} OR s.sku ILIKE ${pattern})` : sql``}
          ${after ? sql`AND (s.location_id, s.sku) > (${after[0]}, ${after[1]})` : sql``}
      ) x
      WHERE (by_safety OR by_product OR by_store) ${rule}
      ORDER BY location_id, sku
      LIMIT ${query.limit + 1}`.execute(db)
  ).rows;
  const items = rows.map((r) => ({
    location_id: r.location_id,
    sku: r.sku,
    name: r.name,
    on_hand: Number(r.on_hand),
    reserved: Number(r.reserved),
    available: Number(r.available),
    safety_stock: Number(r.safety_stock),
    threshold: r.threshold === null ? null : Number(r.threshold),
    rules: LOW_RULES.filter((rule) => r[RULE_COLUMN[rule]]),
  }));
  return page(items, query.limit, (r) => [r.location_id, r.sku]);
}

export interface LowStockRule {
  sku: string;
  name: string;
  threshold: number;
  updated_at: string;
}

/** Every product's own low-stock threshold, by SKU. */
export async function listLowStockRules(db: Queryable): Promise<LowStockRule[]> {
  const rows = await sql<{ sku: string; name: string; threshold: number; updated_at: Date }>`
    SELECT r.sku, p.name, r.threshold, r.updated_at
    FROM low_stock_rules r JOIN ${productNames} p ON p.sku = r.sku
    ORDER BY r.sku`.execute(db);
  return rows.rows.map((r) => ({ ...r, updated_at: new Date(r.updated_at).toISOString() }));
}

/** Sets a product's low-stock threshold (the caller checked the product exists). */
export async function setLowStockRule(db: Queryable, sku: string, threshold: number): Promise<void> {
  await db
    .insertInto('low_stock_rules')
    .values({ sku, threshold })
    .onConflict((oc) => oc.column('sku').doUpdateSet({ threshold, updated_at: new Date() }))
    .execute();
}

/** Removes a product's low-stock threshold and answers it; 404 when it had none. */
export async function deleteLowStockRule(db: Queryable, sku: string): Promise<number> {
  const r = await db.deleteFrom('low_stock_rules').where('sku', '=', sku).returning('threshold').executeTakeFirst();
  if (!r) throw notFound('low-stock rule', 'sku');
  return r.threshold;
}
