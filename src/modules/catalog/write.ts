import type { Queryable } from '../../platform/db/database';
import { publish } from '../../platform/events/outbox';
import { conflict } from '../../platform/http/errors';
import { toProduct, type Product } from './service';

export interface ProductInput {
  sku: string;
  name: string;
  category: string;
  list_price: number;
  /** unit cost in fen; null clears it; undefined leaves it as it is */
  cost_price?: number | null;
  /** the barcode on the pack; null clears it; undefined leaves it as it is */
  barcode?: string | null;
  channels?: string[];
  attributes?: Record<string, unknown>;
}

export const ALL_CHANNELS = ['app', 'mini_program', 'web', 'pos', 'group_buy'];

/**
 * Creates or updates a product. A changed list price publishes `price.changed` so electronic
 * shelf labels and every channel show the new price at the same time.
 */
export async function upsertProduct(db: Queryable, p: ProductInput): Promise<{ product: Product; created: boolean }> {
  const before = await db
    .selectFrom('products')
    .select(['list_price'])
    .where('sku', '=', p.sku)
    .forUpdate()
    .executeTakeFirst();
  const values = {
    name: p.name,
    category: p.category,
    list_price: p.list_price,
    channels: p.channels ?? ALL_CHANNELS,
    attributes: JSON.stringify(p.attributes ?? {}),
    ...(p.cost_price !== undefined ? { cost_price: p.cost_price } : {}),
    ...(p.barcode !== undefined ? { barcode: p.barcode } : {}),
  };
  if (p.barcode) {
    const holder = await db
      .selectFrom('products')
      .select('sku')
      .where('barcode', '=', p.barcode)
      .where('sku', '<>', p.sku)
      .executeTakeFirst();
    if (holder) throw conflict('barcode_taken', `barcode ${p.barcode} is product ${holder.sku}'s`, 'barcode');
  }
  const row = await db
    .insertInto('products')
    .values({ sku: p.sku, ...values })
    .onConflict((oc) => oc.column('sku').doUpdateSet({ ...values, updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();
  if (before && Number(before.list_price) !== p.list_price) {
    await publish(db, {
      aggregateType: 'product',
      aggregateId: p.sku,
      type: 'price.changed',
      payload: { sku: p.sku, old_price: Number(before.list_price), new_price: p.list_price, currency: 'CNY' },
    });
  }
  return { product: toProduct(row), created: !before };
}
