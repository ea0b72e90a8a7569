import { sql, type Insertable } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { ProductsTable } from '../../platform/db/schema';
import type { StatementParams } from '../../platform/db/statement';

/** What other modules may know of the catalogue beyond the service functions: these fragments, never the table. */

/** What a checkout needs of a product. */
export interface ProductInfo {
  name: string;
  category: string;
  list_price: number;
  channels: string[];
}

/**
 * The catalogue rows of these SKUs as one JSON value: a select-list expression, so a caller can
 * read it in one statement with other parts (read it back with productsFromJson).
 */
export function productsJson(params: StatementParams, skus: readonly string[]): string {
  return `(SELECT coalesce(json_agg(json_build_array(sku, name, category, list_price, channels)), '[]')
    FROM products WHERE sku IN (SELECT json_array_elements_text(${params.param(JSON.stringify(skus))}::json)))`;
}

export function productsFromJson(
  rows: [string, string, string, number | string, string[]][],
): Map<string, ProductInfo> {
  return new Map(
    rows.map(([sku, name, category, listPrice, channels]) => [
      sku,
      { name, category, list_price: Number(listPrice), channels },
    ]),
  );
}

/**
 * Each product's category and list price. A FROM-clause fragment for Kysely joins that PostgreSQL
 * inlines: `.innerJoin(productFacts.as('p'), 'p.sku', 'l.sku')`.
 */
export const productFacts = sql<{
  sku: string;
  category: string;
  list_price: string;
}>`(SELECT sku, category, list_price FROM products)`;

/** Which of these SKUs exist. */
/** The first `limit` SKUs of the catalogue (in SKU order). */
export async function firstSkus(db: Queryable, limit: number): Promise<string[]> {
  return (await db.selectFrom('products').select('sku').orderBy('sku').limit(limit).execute()).map((r) => r.sku);
}

export async function existingSkus(db: Queryable, skus: readonly string[]): Promise<Set<string>> {
  if (skus.length === 0) return new Set();
  return new Set((await db.selectFrom('products').select('sku').where('sku', 'in', skus).execute()).map((r) => r.sku));
}

/** The list prices of those of these SKUs that exist. */
export async function listPricesOf(db: Queryable, skus: readonly string[]): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  const rows = await db.selectFrom('products').select(['sku', 'list_price']).where('sku', 'in', skus).execute();
  return new Map(rows.map((p) => [p.sku, Number(p.list_price)]));
}

/** The names of those of these SKUs that exist (product names beside SKUs in the console). */
export async function productNamesOf(db: Queryable, skus: readonly string[]): Promise<Map<string, string>> {
  if (skus.length === 0) return new Map();
  const rows = await db.selectFrom('products').select(['sku', 'name']).where('sku', 'in', skus).execute();
  return new Map(rows.map((p) => [p.sku, p.name]));
}

/** Creates these products unless their SKU exists (imported history); returns how many were created. */
export async function createProductsIfAbsent(db: Queryable, rows: Insertable<ProductsTable>[]): Promise<number> {
  if (rows.length === 0) return 0;
  return (
    await db
      .insertInto('products')
      .values(rows)
      .onConflict((oc) => oc.column('sku').doNothing())
      .returning('sku')
      .execute()
  ).length;
}

/**
 * Each product's unit cost in fen, null when none is recorded (revenue sharing on the margin). A
 * FROM-clause fragment: `LEFT JOIN ${productCosts} p ON p.sku = l.sku`.
 */
export const productCosts = sql<{ sku: string; cost_price: string | null }>`(SELECT sku, cost_price FROM products)`;

/** Sets the unit cost (fen) of these products where none is recorded yet (an import's cost_price column). */
export async function setMissingCosts(db: Queryable, costs: ReadonlyMap<string, number>): Promise<number> {
  if (costs.size === 0) return 0;
  const rows = JSON.stringify([...costs].map(([sku, cost]) => ({ sku, cost })));
  const r = await sql`UPDATE products p SET cost_price = c.cost, updated_at = now()
    FROM json_to_recordset(${rows}::json) AS c(sku text, cost bigint)
    WHERE p.sku = c.sku AND p.cost_price IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Each product's name (analytics lists: low stock, slow movers). A FROM-clause fragment: `JOIN ${productNames} p`. */
export const productNames = sql<{ sku: string; name: string }>`(SELECT sku, name FROM products)`;
/** When a product was last created or changed (null: no products): its category may have moved. */
export const productsChangedAt = sql<{ at: Date | null }>`(SELECT max(updated_at) AS at FROM products)`;

/**
 * What an offer shows of a product: its name, list price (fen) and the channels that sell it. A
 * FROM-clause fragment: `JOIN ${productCards} p ON p.sku = x.sku`.
 */
export const productCards = sql<{
  sku: string;
  name: string;
  list_price: string;
  channels: string[];
}>`(SELECT sku, name, list_price, channels FROM products)`;

/** One product as the API shows it (the shelf-QR page reads its name and attributes.images). */
export { getProduct } from './service';
/**
 * Each product's name and case pack (`attributes.case_pack`, a whole number ≥ 1; 1 when unset): the
 * unit replenishment rounds orders up to. A FROM-clause fragment: `JOIN ${productCasePacks} p ON p.sku = x.sku`.
 */
export const productCasePacks = sql<{ sku: string; name: string; case_pack: number }>`(
  SELECT sku, name, CASE WHEN jsonb_typeof(attributes -> 'case_pack') = 'number'
    THEN greatest(1, floor((attributes ->> 'case_pack')::numeric))::int ELSE 1 END AS case_pack FROM products)`;
