import { sql } from 'kysely';
import type { Database } from '../platform/db/database';
import { DEMO_LOCATIONS } from './retailer';

/** The days of sales the stock on hand covers: the DC holds weeks, a store days. */
const COVER = { dc: { min: 25, spread: 36 }, store: { min: 5, spread: 16 } };
/** The window the sales rate is measured over. */
const RATE_DAYS = 28;

/**
 * After the history is loaded: the stock on hand follows the sales (each location holds a few
 * days' or weeks' worth of what it sold in the last four weeks, by RATE_DAYS and COVER; the DC a
 * few units of what did not sell; a store's empty shelf stays empty), and the stock movements tell how it got there, oldest first:
 * the opening count at the start of the history, a weekly replenishment receipt of each week's
 * sales at each location, and one sale per line of every order that was not cancelled (ref: the
 * order). Their sum per location and SKU is the stock on hand.
 */
export async function settleDemoStock(database: Database, start: Date, timezone: string): Promise<number> {
  const db = database.db;
  const dc = DEMO_LOCATIONS.find((l) => l.type === 'dc')!.id;
  const sales = sql`SELECT f.location_id, fl.sku, fl.qty, o.paid_at AS at, o.id AS ref
    FROM orders o JOIN fulfillments f ON f.order_id = o.id JOIN fulfillment_lines fl ON fl.fulfillment_id = f.id
    WHERE o.status <> 'cancelled' AND o.paid_at IS NOT NULL`;
  // A till sells what is on its shelf whatever the records say: every place that sold a SKU stocks it.
  await sql`INSERT INTO stock (location_id, sku, on_hand, reserved, safety_stock)
    SELECT DISTINCT location_id, sku, 1, 0, 1 FROM (${sales}) s
    ON CONFLICT (location_id, sku) DO NOTHING`.execute(db);
  const cover = (c: { min: number; spread: number }) =>
    sql`${c.min} + abs(hashtext(s.location_id || '|' || s.sku)) % ${c.spread}`;
  await sql`UPDATE stock s SET on_hand = CASE
      WHEN s.location_id <> ${dc} AND s.on_hand = 0 THEN 0
      WHEN r.qty IS NULL THEN CASE WHEN s.location_id = ${dc} THEN ${cover({ min: 2, spread: 5 })} ELSE s.on_hand END
      ELSE ceil(r.qty * (CASE WHEN s.location_id = ${dc} THEN ${cover(COVER.dc)} ELSE ${cover(COVER.store)} END) / ${RATE_DAYS}::numeric)::int
    END
    FROM (SELECT location_id, sku FROM stock) k
    LEFT JOIN (
      SELECT location_id, sku, sum(qty) AS qty FROM (${sales}) x
      WHERE at > (SELECT max(placed_at) FROM orders) - make_interval(days => ${RATE_DAYS})
      GROUP BY 1, 2
    ) r ON r.location_id = k.location_id AND r.sku = k.sku
    WHERE s.location_id = k.location_id AND s.sku = k.sku`.execute(db);
  const moved = await sql`INSERT INTO stock_movements (location_id, sku, delta, reason, ref, created_at)
    SELECT location_id, sku, delta, reason, ref, at FROM (
      SELECT location_id, sku, on_hand AS delta, 'count' AS reason, 'opening stock' AS ref, ${start}::timestamptz AS at, 0 AS kind
      FROM stock
      UNION ALL
      SELECT location_id, sku, qty, 'receipt', 'PO-' || to_char(week, 'YYYYMMDD'),
        greatest(week AT TIME ZONE ${timezone}, ${start}::timestamptz), 1
      FROM (
        SELECT location_id, sku, date_trunc('week', at AT TIME ZONE ${timezone}) AS week, sum(qty)::int AS qty
        FROM (${sales}) x GROUP BY 1, 2, 3
      ) w
      UNION ALL
      SELECT location_id, sku, -qty, 'sale', ref, at, 2 FROM (${sales}) x
    ) m
    WHERE delta <> 0
    ORDER BY at, kind, location_id, sku`.execute(db);
  return Number(moved.numAffectedRows ?? 0);
}
