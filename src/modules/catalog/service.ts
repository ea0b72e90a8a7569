import type { Static } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { ProductsTable } from '../../platform/db/schema';
import { decodeCursor, page } from '../../platform/http/pagination';
import type { ProductSchema } from './schemas';

export type Product = Static<typeof ProductSchema>;

export function toProduct(r: Selectable<ProductsTable>): Product {
  return {
    sku: r.sku,
    name: r.name,
    category: r.category,
    list_price: Number(r.list_price),
    cost_price: r.cost_price === null ? null : Number(r.cost_price),
    barcode: r.barcode,
    channels: r.channels,
    attributes: r.attributes,
    updated_at: r.updated_at.toISOString(),
  };
}

export async function getProduct(db: Queryable, sku: string): Promise<Product | null> {
  const r = await db.selectFrom('products').selectAll().where('sku', '=', sku).executeTakeFirst();
  return r ? toProduct(r) : null;
}

export async function listProducts(
  db: Queryable,
  q: { category?: string; q?: string; cursor?: string; limit: number },
) {
  const after = decodeCursor(q.cursor, 1);
  let query = db
    .selectFrom('products')
    .selectAll()
    .orderBy('sku')
    .limit(q.limit + 1);
  if (q.category) query = query.where('category', '=', q.category);
  if (q.q) {
    const pattern = `%${q.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    // a scanned barcode matches exactly (the till); names and SKUs match in part
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('sku', 'ilike', pattern), eb('barcode', '=', q.q!)]),
    );
  }
  if (after) query = query.where('sku', '>', String(after[0]));
  const rows = (await query.execute()).map(toProduct);
  return page(rows, q.limit, (p) => [p.sku]);
}
