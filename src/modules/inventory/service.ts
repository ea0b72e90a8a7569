import type { Queryable } from '../../platform/db/database';

export interface StockLevel {
  location_id: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  available: number;
  online_available: number;
}

export function levelOf(r: { location_id: string; on_hand: number; reserved: number; safety_stock: number }): StockLevel {
  const available = r.on_hand - r.reserved;
  return { location_id: r.location_id, on_hand: r.on_hand, reserved: r.reserved, safety_stock: r.safety_stock, available, online_available: Math.max(0, available - r.safety_stock) };
}

export async function stockOfSku(db: Queryable, sku: string) {
  const rows = await db.selectFrom('stock').select(['location_id', 'on_hand', 'reserved', 'safety_stock']).where('sku', '=', sku).orderBy('location_id').execute();
  const locations = rows.map(levelOf);
  const totals = locations.reduce(
    (t, l) => ({ on_hand: t.on_hand + l.on_hand, reserved: t.reserved + l.reserved, available: t.available + l.available, online_available: t.online_available + l.online_available }),
    { on_hand: 0, reserved: 0, available: 0, online_available: 0 },
  );
  return { sku, locations, totals };
}
