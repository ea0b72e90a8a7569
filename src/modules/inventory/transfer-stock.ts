/**
 * The stock side of a transfer between locations (issue 18): shipping takes units off the
 * source's on hand and puts them in transit on the destination's row; receiving turns them into
 * the destination's on hand. Each on-hand change is a stock movement (transfer_out, transfer_in).
 */
import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { stockOrderSql } from '../../platform/db/locks';

export interface TransferLine {
  sku: string;
  qty: number;
}

/** A line the source cannot give without taking units reserved for online orders or its safety stock. */
export interface TransferShortage {
  sku: string;
  qty: number;
  online_available: number;
}

const linesJson = (lines: readonly TransferLine[]) =>
  sql`json_to_recordset(${JSON.stringify(lines.map((l) => ({ sku: l.sku, qty: l.qty })))}::json) AS l(sku text, qty integer)`;

/**
 * Locks the rows of these SKUs at these locations in the lock order (rank 4, platform/db/locks.ts),
 * first creating the missing rows at `create` (in the same order, so two transfers to one store
 * wait for each other's new rows in one direction only).
 */
async function lockRows(tx: Tx, locations: readonly string[], skus: readonly string[], create: string | null) {
  if (create !== null)
    await sql`INSERT INTO stock (location_id, sku, on_hand)
      SELECT ${create}, k.sku, 0 FROM unnest(${[...skus]}::text[]) AS k(sku) ORDER BY k.sku COLLATE "C"
      ON CONFLICT (location_id, sku) DO NOTHING`.execute(tx);
  const r = await sql<{ location_id: string; sku: string; online_available: number }>`
    SELECT s.location_id, s.sku, s.on_hand - s.reserved - s.safety_stock AS online_available FROM stock s
    WHERE s.location_id = ANY(${[...locations]}::text[]) AND s.sku = ANY(${[...skus]}::text[])
    ORDER BY ${sql.raw(stockOrderSql('s'))} FOR UPDATE OF s`.execute(tx);
  return r.rows;
}

/**
 * Ships a transfer's lines from `from` to `to`. The source keeps what its online orders hold and its
 * safety stock (on hand − reserved − safety stock never goes below zero): when a line does not fit,
 * nothing is written and the short lines are returned.
 */
export async function shipTransferStock(
  tx: Tx,
  t: { from: string; to: string; lines: readonly TransferLine[]; ref: string },
): Promise<TransferShortage[]> {
  const skus = t.lines.map((l) => l.sku);
  const rows = await lockRows(tx, [t.from, t.to], skus, t.to);
  const free = new Map(rows.filter((r) => r.location_id === t.from).map((r) => [r.sku, r.online_available]));
  const short = t.lines
    .map((l) => ({ sku: l.sku, qty: l.qty, online_available: Math.max(0, free.get(l.sku) ?? 0) }))
    .filter((l) => l.qty > l.online_available);
  if (short.length) return short;
  await sql`UPDATE stock s SET on_hand = s.on_hand - l.qty, updated_at = now() FROM ${linesJson(t.lines)}
    WHERE s.location_id = ${t.from} AND s.sku = l.sku`.execute(tx);
  await sql`UPDATE stock s SET in_transit = s.in_transit + l.qty, updated_at = now() FROM ${linesJson(t.lines)}
    WHERE s.location_id = ${t.to} AND s.sku = l.sku`.execute(tx);
  await sql`INSERT INTO stock_movements (location_id, sku, delta, reason, ref)
    SELECT ${t.from}, l.sku, -l.qty, 'transfer_out', ${t.ref} FROM ${linesJson(t.lines)}`.execute(tx);
  return [];
}

/** Receives a shipped transfer's lines at `to`: in transit becomes on hand. */
export async function receiveTransferStock(
  tx: Tx,
  t: { to: string; lines: readonly TransferLine[]; ref: string },
): Promise<void> {
  await lockRows(
    tx,
    [t.to],
    t.lines.map((l) => l.sku),
    null,
  );
  await sql`UPDATE stock s SET in_transit = s.in_transit - l.qty, on_hand = s.on_hand + l.qty, updated_at = now()
    FROM ${linesJson(t.lines)} WHERE s.location_id = ${t.to} AND s.sku = l.sku`.execute(tx);
  await sql`INSERT INTO stock_movements (location_id, sku, delta, reason, ref)
    SELECT ${t.to}, l.sku, l.qty, 'transfer_in', ${t.ref} FROM ${linesJson(t.lines)}`.execute(tx);
}
