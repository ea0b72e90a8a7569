import { sql } from 'kysely';
import type { Principal } from '../platform/auth/roles';
import type { Database } from '../platform/db/database';
import { createTransfer, receiveTransfer, shipTransfer } from '../modules/transfers/demo';
import { DEMO_LOCATIONS } from './retailer';

/** The head office's hand in the demo's transfers. */
const OFFICE: Principal = { keyId: 'demo', name: 'demo', role: 'admin', locationId: null, channel: null, scopes: [] };

/**
 * The demo's transfers (调拨), one in each state a store sees: from the DC to three stores (one
 * received, one on its way, one just requested by replenishment) and a store-to-store request, each
 * of the two SKUs the receiving store sells most that the giving side can spare.
 */
export async function seedDemoTransfers(database: Database): Promise<void> {
  const db = database.db;
  const dc = DEMO_LOCATIONS.find((l) => l.type === 'dc')!.id;
  const stores = DEMO_LOCATIONS.filter((l) => l.type === 'store').map((l) => l.id);
  if (stores.length < 5) return;
  const plan = [
    { from: dc, to: stores[0], origin: 'replenishment' as const, steps: 2 },
    { from: dc, to: stores[1], origin: 'replenishment' as const, steps: 1 },
    { from: dc, to: stores[2], origin: 'replenishment' as const, steps: 0 },
    { from: stores[3], to: stores[4], origin: 'rebalance' as const, steps: 0 },
  ];
  for (const p of plan) {
    // the destination's best sellers (its stock follows its sales: demo/stock.ts) the source can spare
    const lines = await sql<{ sku: string; qty: number }>`
      SELECT d.sku, least(24, (s.on_hand - s.reserved - s.safety_stock) / 2)::int AS qty
      FROM stock d JOIN stock s ON s.sku = d.sku AND s.location_id = ${p.from}
      WHERE d.location_id = ${p.to} AND s.on_hand - s.reserved - s.safety_stock >= 4
      ORDER BY d.on_hand DESC, d.sku
      LIMIT 2`.execute(db);
    if (lines.rows.length === 0) continue;
    const t = await createTransfer(db, OFFICE, {
      from_location_id: p.from,
      to_location_id: p.to,
      origin: p.origin,
      lines: lines.rows,
    });
    if (p.steps >= 1) await shipTransfer(db, OFFICE, t.id);
    if (p.steps >= 2) await receiveTransfer(db, OFFICE, t.id);
  }
}
