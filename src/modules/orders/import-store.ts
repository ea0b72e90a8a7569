import type { Database, Queryable } from '../../platform/db/database';
import { row as csvRow } from '../../demo/csv';

/** Order history brought in from elsewhere (santong import orders): completed orders, written in bulk. */
export interface ImportedOrder {
  id: string;
  channel: string;
  customer_id: string | null;
  location_id: string | null;
  fulfillment_type: 'in_store' | 'delivery';
  currency: string;
  subtotal: number;
  discount_total: number;
  total: number;
  placed_at: Date;
  lines: { sku: string; qty: number; unit_price: number; discount: number; amount: number }[];
}

/** Which of these order ids exist. */
export async function existingOrderIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set((await db.selectFrom('orders').select('id').where('id', 'in', ids).execute()).map((o) => o.id));
}

/** Removes imported orders an interrupted import left half-done, so they are written again. */
export async function discardImportedOrders(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('order_lines').where('order_id', 'in', ids).execute();
  await db.deleteFrom('orders').where('id', 'in', ids).execute();
}

/** Writes imported orders and their lines with COPY (the fast path for millions of rows). Paid and completed when placed. */
export async function copyImportedOrders(database: Database, orders: readonly ImportedOrder[]): Promise<void> {
  let ordersCsv = '';
  let linesCsv = '';
  // updated_at is when the row was written: the change feed (orderCustomersChangedSince) finds imports
  const written = new Date().toISOString();
  for (const o of orders) {
    const at = o.placed_at.toISOString();
    ordersCsv += csvRow([
      o.id,
      o.channel,
      o.customer_id,
      o.location_id,
      o.fulfillment_type,
      'completed',
      o.currency,
      o.subtotal,
      o.discount_total,
      0,
      o.total,
      at,
      at,
      written,
    ]);
    o.lines.forEach((l, i) => (linesCsv += csvRow([o.id, i + 1, l.sku, l.qty, l.unit_price, l.discount, l.amount])));
  }
  const orderColumns = [
    'id',
    'channel',
    'customer_id',
    'location_id',
    'fulfillment_type',
    'status',
    'currency',
    'subtotal',
    'discount_total',
    'delivery_fee',
    'total',
    'placed_at',
    'paid_at',
    'updated_at',
  ];
  await database.copyCsv('orders', orderColumns, ordersCsv);
  await database.copyCsv(
    'order_lines',
    ['order_id', 'line_no', 'sku', 'qty', 'unit_price', 'discount', 'amount'],
    linesCsv,
  );
}
