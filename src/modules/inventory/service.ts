import { sql } from 'kysely';
import type { Insertable } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { insertFromJson } from '../../platform/db/json-rows';
import { stockOrderSql } from '../../platform/db/locks';
import type { DB } from '../../platform/db/schema';
import { coalescingPerHandle } from '../../platform/db/coalesce';
import { StatementParams } from '../../platform/db/statement';
import { publish } from '../../platform/events/outbox';
import { productNamesOf } from '../catalog/public';

export interface StockLevel {
  location_id: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  available: number;
  online_available: number;
}

export const MOVEMENT_REASONS = [
  'sale',
  'receipt',
  'adjustment',
  'count',
  'transfer_in',
  'transfer_out',
  'return',
  'damage',
] as const;
export type MovementReason = (typeof MOVEMENT_REASONS)[number] | 'cancel_restock';

export function levelOf(r: {
  location_id: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
}): StockLevel {
  const available = r.on_hand - r.reserved;
  return {
    location_id: r.location_id,
    on_hand: r.on_hand,
    reserved: r.reserved,
    safety_stock: r.safety_stock,
    available,
    online_available: Math.max(0, available - r.safety_stock),
  };
}

export async function stockOfSku(db: Queryable, sku: string) {
  const rows = await db
    .selectFrom('stock')
    .select(['location_id', 'on_hand', 'reserved', 'safety_stock', 'in_transit'])
    .where('sku', '=', sku)
    .orderBy('location_id')
    .execute();
  const locations = rows.map((r) => ({ ...levelOf(r), in_transit: r.in_transit }));
  const totals = locations.reduce(
    (t, l) => ({
      on_hand: t.on_hand + l.on_hand,
      reserved: t.reserved + l.reserved,
      available: t.available + l.available,
      online_available: t.online_available + l.online_available,
    }),
    { on_hand: 0, reserved: 0, available: 0, online_available: 0 },
  );
  return { sku, locations, totals };
}

/**
 * Online-available units of these SKUs at every location as one JSON value: a select-list
 * expression, so a caller can read it in one statement with other parts (read it back with
 * availabilityFromJson).
 */
export function availabilityJson(params: StatementParams, skus: readonly string[]): string {
  return `(SELECT coalesce(json_agg(json_build_array(location_id, sku, on_hand - reserved - safety_stock)), '[]')
    FROM stock WHERE sku IN (SELECT json_array_elements_text(${params.param(JSON.stringify(skus))}::json)))`;
}

/** Keyed `location|sku`. */
export function availabilityFromJson(rows: [string, string, number][]): Map<string, number> {
  const map = new Map<string, number>();
  for (const [location, sku, units] of rows) map.set(`${location}|${sku}`, units);
  return map;
}

async function loadAvailability(db: Queryable, skus: string[]): Promise<Map<string, number>> {
  const params = new StatementParams();
  const r = await params.run<{ stock: [string, string, number][] }>(
    db,
    `SELECT ${availabilityJson(params, skus)} AS stock`,
  );
  return availabilityFromJson(r.rows[0].stock);
}

/** Concurrent orders read availability together (one query for many requests under load). */
const sharedAvailability = coalescingPerHandle(loadAvailability);

/**
 * Online-available units per (location, sku) for these SKUs, keyed `location|sku`. Outside a
 * transaction the read is shared with concurrent callers, so the map may hold other SKUs too.
 */
export async function onlineAvailability(db: Queryable, skus: string[]): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  return db.isTransaction ? loadAvailability(db, skus) : sharedAvailability(db, skus);
}

async function recordMovement(
  tx: Queryable,
  m: { location_id: string; sku: string; delta: number; reason: MovementReason; ref: string | null },
): Promise<void> {
  if (m.delta === 0) return;
  await tx.insertInto('stock_movements').values(m).execute();
}

/** SQLSTATE of a statement that refused itself because a stock row could not cover its reservation. */
export const STOCK_SHORT = 'SA409';

/**
 * Reserves online stock inside a larger statement (one round trip with the writes it goes with):
 * per (location, sku) one conditional update that succeeds only while on_hand - reserved -
 * safety_stock covers the quantity. This row-level check in the database is what makes
 * overselling impossible, whatever the number of processes. `ctes` (to put in a WITH list)
 * locks and updates the rows and inserts the orders' reservation rows; `check` is a select-list
 * expression that aborts the whole statement, so nothing it wrote stays, with STOCK_SHORT unless
 * every row covered its quantity; the error's message is the JSON list of the short rows, read
 * back with shortRows(). Give each (location, sku) once.
 */
export function reservingStatement(
  params: StatementParams,
  units: readonly { location: string; sku: string; qty: number }[],
  reservations: readonly Insertable<DB['stock_reservations']>[],
): { ctes: string; check: string } {
  const wanted = params.param(JSON.stringify(units.map((u) => ({ location_id: u.location, sku: u.sku, qty: u.qty }))));
  const insert = reservations.length ? insertFromJson(params, 'stock_reservations', reservations) : null;
  const inserted = insert ? `,\n      new_reservations AS (${insert})` : '';
  return {
    // The rows are locked in the lock order (rank 4, platform/db/locks.ts) before any is updated:
    // writers never wait for each other in a cycle.
    ctes: `stock_wanted AS (SELECT * FROM json_to_recordset(${wanted}::json) AS w(location_id text, sku text, qty integer)),
      stock_locked AS (
        SELECT s.location_id, s.sku FROM stock s JOIN stock_wanted w ON s.location_id = w.location_id AND s.sku = w.sku
        ORDER BY ${stockOrderSql('s')} FOR UPDATE OF s),
      stock_reserved AS (
        UPDATE stock s SET reserved = s.reserved + w.qty, updated_at = now()
        FROM stock_wanted w JOIN stock_locked l ON l.location_id = w.location_id AND l.sku = w.sku
        WHERE s.location_id = w.location_id AND s.sku = w.sku AND s.on_hand - s.reserved - s.safety_stock >= w.qty
        RETURNING s.location_id, s.sku)${inserted}`,
    check: `(SELECT CASE WHEN count(*) > 0 THEN santong_raise('${STOCK_SHORT}', json_agg(json_build_array(w.location_id, w.sku))::text) END
      FROM stock_wanted w WHERE NOT EXISTS (SELECT 1 FROM stock_reserved r WHERE r.location_id = w.location_id AND r.sku = w.sku))`,
  };
}

/** The rows a STOCK_SHORT error names, or null for any other error. */
export function shortRows(err: unknown): { location: string; sku: string }[] | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || e.code !== STOCK_SHORT || typeof e.message !== 'string') return null;
  return (JSON.parse(e.message) as [string, string][]).map(([location, sku]) => ({ location, sku }));
}

/** Turns reserved units into a sale: on hand and reserved both go down. */
export async function consumeReserved(
  tx: Tx,
  locationId: string,
  sku: string,
  qty: number,
  ref: string,
): Promise<void> {
  await sql`UPDATE stock SET on_hand = on_hand - ${qty}, reserved = reserved - ${qty}, updated_at = now() WHERE location_id = ${locationId} AND sku = ${sku}`.execute(
    tx,
  );
  await recordMovement(tx, { location_id: locationId, sku, delta: -qty, reason: 'sale', ref });
}

export async function releaseReserved(tx: Tx, locationId: string, sku: string, qty: number): Promise<void> {
  await sql`UPDATE stock SET reserved = reserved - ${qty}, updated_at = now() WHERE location_id = ${locationId} AND sku = ${sku}`.execute(
    tx,
  );
}

/** Adds a signed quantity to on hand (creating the row if needed) and records the movement. Returns the new on hand. */
export async function move(
  tx: Tx,
  m: { location_id: string; sku: string; delta: number; reason: MovementReason; ref: string | null },
): Promise<number> {
  const row = await tx
    .insertInto('stock')
    .values({ location_id: m.location_id, sku: m.sku, on_hand: m.delta })
    .onConflict((oc) =>
      oc
        .columns(['location_id', 'sku'])
        .doUpdateSet({ on_hand: sql`stock.on_hand + ${m.delta}`, updated_at: new Date() }),
    )
    .returning('on_hand')
    .executeTakeFirstOrThrow();
  await recordMovement(tx, m);
  return row.on_hand;
}

/**
 * An in-store sale never blocks the till: on hand goes down even below zero, and a negative
 * balance raises `stock.discrepancy` so the store recounts.
 */
export async function sellInStore(tx: Tx, locationId: string, sku: string, qty: number, ref: string): Promise<void> {
  const onHand = await move(tx, { location_id: locationId, sku, delta: -qty, reason: 'sale', ref });
  if (onHand < 0) {
    await publish(tx, {
      aggregateType: 'stock',
      aggregateId: `${locationId}:${sku}`,
      type: 'stock.discrepancy',
      payload: { location_id: locationId, sku, on_hand: onHand, ref, skus: [sku] },
    });
  }
}

/** A stock count sets on hand; the difference is recorded as a `count` movement. */
export async function setCount(
  tx: Tx,
  locationId: string,
  sku: string,
  onHand: number,
  safetyStock: number | undefined,
): Promise<StockLevel> {
  const before = await tx
    .selectFrom('stock')
    .select(['on_hand'])
    .where('location_id', '=', locationId)
    .where('sku', '=', sku)
    .forUpdate()
    .executeTakeFirst();
  const row = await tx
    .insertInto('stock')
    .values({
      location_id: locationId,
      sku,
      on_hand: onHand,
      ...(safetyStock !== undefined ? { safety_stock: safetyStock } : {}),
    })
    .onConflict((oc) =>
      oc.columns(['location_id', 'sku']).doUpdateSet({
        on_hand: onHand,
        ...(safetyStock !== undefined ? { safety_stock: safetyStock } : {}),
        updated_at: new Date(),
      }),
    )
    .returning(['location_id', 'on_hand', 'reserved', 'safety_stock'])
    .executeTakeFirstOrThrow();
  await recordMovement(tx, {
    location_id: locationId,
    sku,
    delta: onHand - (before?.on_hand ?? 0),
    reason: 'count',
    ref: null,
  });
  return levelOf(row);
}

export async function listMovements(
  db: Queryable,
  f: { location_id?: string; sku?: string; before?: string; limit: number },
) {
  let q = db
    .selectFrom('stock_movements')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.location_id) q = q.where('location_id', '=', f.location_id);
  if (f.sku) q = q.where('sku', '=', f.sku);
  if (f.before) q = q.where('id', '<', f.before);
  const rows = await q.execute();
  const page = rows.slice(0, f.limit);
  const names = await productNamesOf(db, [...new Set(page.map((r) => r.sku))]);
  const items = page.map((r) => ({
    id: String(r.id),
    location_id: r.location_id,
    sku: r.sku,
    product_name: names.get(r.sku) ?? null,
    delta: r.delta,
    reason: r.reason,
    ref: r.ref,
    created_at: r.created_at.toISOString(),
  }));
  return { items, next_cursor: rows.length > f.limit ? items[items.length - 1].id : null };
}
