/**
 * Transfers (调拨, issue 18): a request to move stock from one location to another, shipped by the
 * source and received by the destination. Store staff act only on their own store's side: they
 * request to or from their store, ship from it, receive at it, cancel a request that names it.
 */
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { Queryable, Tx } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { conflict, forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { newId } from '../../platform/ids';
import { existingSkus, productNamesOf } from '../catalog/public';
import { receiveTransferStock, shipTransferStock, type TransferLine } from '../inventory/public';
import { existingLocationIds } from '../locations/public';
import type { TransferOrigin, TransferStatus } from './tables';

export interface TransferRequest {
  from_location_id: string;
  to_location_id: string;
  lines: TransferLine[];
  origin?: TransferOrigin;
  note?: string;
}

export interface Transfer {
  id: string;
  from_location_id: string;
  to_location_id: string;
  status: TransferStatus;
  origin: TransferOrigin;
  note: string | null;
  lines: { sku: string; name: string | null; qty: number }[];
  requested_at: string;
  shipped_at: string | null;
  received_at: string | null;
  cancelled_at: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function checkRequest(db: Queryable, principal: Principal, r: TransferRequest): Promise<void> {
  const own = principal.locationId;
  if (principal.role === 'store_staff' && r.from_location_id !== own && r.to_location_id !== own)
    throw forbidden('store staff may only request transfers to or from their own store');
  if (r.from_location_id === r.to_location_id)
    throw unprocessable('same_location', 'a transfer goes between two different locations', 'to_location_id');
  const known = await existingLocationIds(db, [r.from_location_id, r.to_location_id]);
  for (const field of ['from_location_id', 'to_location_id'] as const)
    if (!known.has(r[field])) throw unprocessable('unknown_location', `location ${r[field]} does not exist`, field);
  const skus = await existingSkus(
    db,
    r.lines.map((l) => l.sku),
  );
  const seen = new Set<string>();
  r.lines.forEach((l, i) => {
    if (seen.has(l.sku)) throw unprocessable('duplicate_sku', `${l.sku} is on two lines`, `lines[${i}].sku`);
    seen.add(l.sku);
    if (!skus.has(l.sku)) throw unprocessable('unknown_sku', `no product ${l.sku}`, `lines[${i}].sku`);
  });
}

export async function createTransfer(db: Queryable, principal: Principal, r: TransferRequest): Promise<Transfer> {
  await checkRequest(db, principal, r);
  const id = newId('trf');
  await transact(db, async (tx) => {
    await tx
      .insertInto('transfers')
      .values({
        id,
        from_location_id: r.from_location_id,
        to_location_id: r.to_location_id,
        origin: r.origin ?? 'manual',
        note: r.note ?? null,
      })
      .execute();
    await tx
      .insertInto('transfer_lines')
      .values(r.lines.map((l) => ({ transfer_id: id, sku: l.sku, qty: l.qty })))
      .execute();
  });
  return (await getTransfer(db, id))!;
}

export async function getTransfer(db: Queryable, id: string): Promise<Transfer | null> {
  const t = await db.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) return null;
  const lines = await db
    .selectFrom('transfer_lines')
    .select(['sku', 'qty'])
    .where('transfer_id', '=', id)
    .orderBy('sku')
    .execute();
  const names = await productNamesOf(
    db,
    lines.map((l) => l.sku),
  );
  return {
    id: t.id,
    from_location_id: t.from_location_id,
    to_location_id: t.to_location_id,
    status: t.status,
    origin: t.origin,
    note: t.note,
    lines: lines.map((l) => ({ sku: l.sku, name: names.get(l.sku) ?? null, qty: l.qty })),
    requested_at: t.requested_at.toISOString(),
    shipped_at: iso(t.shipped_at),
    received_at: iso(t.received_at),
    cancelled_at: iso(t.cancelled_at),
  };
}

export interface TransferQuery {
  status?: TransferStatus;
  location_id?: string;
  cursor?: string;
  limit: number;
}

/** Transfers newest first; store staff see those of their store only. */
export async function listTransfers(
  db: Queryable,
  principal: Principal,
  q: TransferQuery,
): Promise<{ items: Transfer[]; next_cursor: string | null }> {
  const after = decodeCursor(q.cursor, 2, ['time', 'string']);
  const location = principal.role === 'store_staff' ? principal.locationId : (q.location_id ?? null);
  let query = db
    .selectFrom('transfers')
    .select(['id', 'requested_at'])
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.status) query = query.where('status', '=', q.status);
  if (location !== null)
    query = query.where((eb) => eb.or([eb('from_location_id', '=', location), eb('to_location_id', '=', location)]));
  if (after)
    query = query.where(sql<boolean>`(requested_at, id) < (${new Date(after[0] as string)}, ${after[1] as string})`);
  const rows = await query.execute();
  const p = page(rows, q.limit, (r) => [r.requested_at.toISOString(), r.id]);
  const items = await Promise.all(p.items.map(async (r) => (await getTransfer(db, r.id))!));
  return { items, next_cursor: p.next_cursor };
}

/** The transfer's row, locked (one per transaction, before its stock rows: platform/db/locks.ts). */
async function lockTransfer(tx: Tx, id: string) {
  const t = await tx.selectFrom('transfers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!t) throw notFound('transfer', 'id');
  return t;
}

async function linesOf(tx: Tx, id: string): Promise<TransferLine[]> {
  return tx.selectFrom('transfer_lines').select(['sku', 'qty']).where('transfer_id', '=', id).execute();
}

function mustBe(t: { status: TransferStatus }, status: TransferStatus, action: string): void {
  if (t.status !== status)
    throw conflict('transfer_state', `a ${t.status} transfer cannot be ${action}`, 'id', { status: t.status });
}

function mustAct(principal: Principal, locationId: string, side: string): void {
  if (principal.role === 'store_staff' && principal.locationId !== locationId)
    throw forbidden(`only the ${side} store's staff may do this`);
}

/** requested → shipped: source on hand −, destination in transit + (409 transfer_stock_short when it cannot). */
export async function shipTransfer(db: Queryable, principal: Principal, id: string): Promise<Transfer> {
  await transact(db, async (tx) => {
    const t = await lockTransfer(tx, id);
    mustAct(principal, t.from_location_id, 'source');
    mustBe(t, 'requested', 'shipped');
    const short = await shipTransferStock(tx, {
      from: t.from_location_id,
      to: t.to_location_id,
      lines: await linesOf(tx, id),
      ref: id,
    });
    if (short.length)
      throw conflict(
        'transfer_stock_short',
        `the source cannot give ${short.map((s) => s.sku).join(', ')} without its reserved or safety stock`,
        'lines',
        { lines: short },
      );
    await tx.updateTable('transfers').set({ status: 'shipped', shipped_at: new Date() }).where('id', '=', id).execute();
  });
  return (await getTransfer(db, id))!;
}

/** shipped → received: destination in transit −, on hand +. */
export async function receiveTransfer(db: Queryable, principal: Principal, id: string): Promise<Transfer> {
  await transact(db, async (tx) => {
    const t = await lockTransfer(tx, id);
    mustAct(principal, t.to_location_id, 'destination');
    mustBe(t, 'shipped', 'received');
    await receiveTransferStock(tx, { to: t.to_location_id, lines: await linesOf(tx, id), ref: id });
    await tx
      .updateTable('transfers')
      .set({ status: 'received', received_at: new Date() })
      .where('id', '=', id)
      .execute();
  });
  return (await getTransfer(db, id))!;
}

/** requested → cancelled (nothing has moved yet). */
export async function cancelTransfer(db: Queryable, principal: Principal, id: string): Promise<Transfer> {
  await transact(db, async (tx) => {
    const t = await lockTransfer(tx, id);
    if (principal.role === 'store_staff' && ![t.from_location_id, t.to_location_id].includes(principal.locationId!))
      throw forbidden('store staff may only cancel transfers of their own store');
    mustBe(t, 'requested', 'cancelled');
    await tx
      .updateTable('transfers')
      .set({ status: 'cancelled', cancelled_at: new Date() })
      .where('id', '=', id)
      .execute();
  });
  return (await getTransfer(db, id))!;
}
