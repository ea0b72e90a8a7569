/**
 * One store's stock (issue 16, "stock per store"): every SKU held at a location with on hand,
 * reserved, safety stock, what online orders may take, and the units sold there in the last 7
 * days (from orders' exported fragments, never their tables). Searched by name or SKU, sorted by
 * any figure, a page at a time (keyset cursor on the sort figure and the SKU).
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { decodeCursor, page } from '../../platform/http/pagination';
import { productNames } from '../catalog/public';
import { isSale, orderFacts, orderLineFacts } from '../orders/public';

export const STORE_STOCK_SORTS = ['sku', 'name', 'on_hand', 'reserved', 'available', 'sales_7d'] as const;
export type StoreStockSort = (typeof STORE_STOCK_SORTS)[number];

/** How far back "sales of the last 7 days" looks. */
export const SALES_WINDOW_DAYS = 7;

export interface StoreStockRow {
  sku: string;
  name: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  available: number;
  online_available: number;
  in_transit: number;
  sales_7d: number;
}

export interface StoreStockQuery {
  q?: string;
  sort: StoreStockSort;
  order: 'asc' | 'desc';
  cursor?: string;
  limit: number;
}

const SORT_COLUMN: Record<StoreStockSort, string> = {
  sku: 'sku',
  name: 'name',
  on_hand: 'on_hand',
  reserved: 'reserved',
  available: 'available',
  sales_7d: 'sales_7d',
};

type Row = Omit<StoreStockRow, 'on_hand'> & { on_hand: number | string; matches: number | string };

/** Every SKU at one location, with its 7-day sales there; `matches` counts the rows the search finds. */
export async function storeStock(
  db: Queryable,
  locationId: string,
  query: StoreStockQuery,
  now = new Date(),
): Promise<{ items: StoreStockRow[]; matches: number; next_cursor: string | null }> {
  const textKey = query.sort === 'sku' || query.sort === 'name';
  const after = decodeCursor(query.cursor, 2, [textKey ? 'string' : 'int', 'string']);
  const since = new Date(now.getTime() - SALES_WINDOW_DAYS * 86_400_000);
  const col = sql.ref(SORT_COLUMN[query.sort]);
  const desc = query.order === 'desc';
  const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` : null;
  const search = pattern ? sql`AND (p.name ILIKE ${pattern} OR s.sku ILIKE ${pattern})` : sql``;
  const keyset = after
    ? desc
      ? sql`WHERE (${col}, sku) < (${after[0]}, ${after[1]})`
      : sql`WHERE (${col}, sku) > (${after[0]}, ${after[1]})`
    : sql``;
  const direction = desc ? sql`DESC` : sql`ASC`;
  const rows = (
    await sql<Row>`
      WITH sold AS (
        SELECT l.sku, sum(l.qty)::int AS qty
        FROM ${orderFacts} o JOIN ${orderLineFacts} l ON l.order_id = o.id
        WHERE o.location_id = ${locationId} AND o.placed_at >= ${since} AND ${isSale('o')}
        GROUP BY l.sku
      ), found AS (
        SELECT s.sku, p.name, s.on_hand, s.reserved, s.safety_stock, s.in_transit,
               s.on_hand - s.reserved AS available,
               greatest(0, s.on_hand - s.reserved - s.safety_stock) AS online_available,
               coalesce(sold.qty, 0) AS sales_7d,
               count(*) OVER () AS matches
        FROM stock s
        JOIN ${productNames} p ON p.sku = s.sku
        LEFT JOIN sold ON sold.sku = s.sku
        WHERE s.location_id = ${locationId} ${search}
      )
      SELECT * FROM found ${keyset}
      ORDER BY ${col} ${direction}, sku ${direction}
      LIMIT ${query.limit + 1}`.execute(db)
  ).rows;
  const items = rows.map((r) => ({
    sku: r.sku,
    name: r.name,
    on_hand: Number(r.on_hand),
    reserved: Number(r.reserved),
    safety_stock: Number(r.safety_stock),
    available: Number(r.available),
    online_available: Number(r.online_available),
    in_transit: Number(r.in_transit),
    sales_7d: Number(r.sales_7d),
  }));
  // the count of the whole search (a later page's rows carry it too; an empty page: none)
  const matches = rows.length ? Number(rows[0].matches) : 0;
  return { ...page(items, query.limit, (r) => [r[query.sort], r.sku]), matches };
}

/** Units on hand of these SKUs summed over every location (the product list's stock column). */
export async function onHandTotals(db: Queryable, skus: readonly string[]): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  const rows = await db
    .selectFrom('stock')
    .select(['sku', (eb) => eb.fn.sum<string>('on_hand').as('on_hand')])
    .where('sku', 'in', skus)
    .groupBy('sku')
    .execute();
  return new Map(rows.map((r) => [r.sku, Number(r.on_hand)]));
}
