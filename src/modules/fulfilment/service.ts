import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { Queryable, Tx } from '../../platform/db/database';
import { publish } from '../../platform/events/outbox';
import type { AppContext } from '../../platform/http/context';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { checkPickupCode } from './pickup-code';
import { lockOrderOfFulfilment } from './order-lock';
import type { FulfilmentView } from './schemas';
import { allowed, nextStatuses, orderStatusFrom, type FulfilmentEvent } from './state';
import { transact } from '../../platform/db/transaction';
import { productNames } from '../catalog/public';
import { followFulfilments, pickupCodeOf } from '../orders/public';
import { consumeHeldReservations } from '../inventory/public';

export async function readFulfilment(db: Queryable, id: string): Promise<FulfilmentView | null> {
  const f = await db.selectFrom('fulfillments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!f) return null;
  const [lines, events] = await Promise.all([
    db
      .selectFrom('fulfillment_lines as l')
      .leftJoin(productNames.as('p'), 'p.sku', 'l.sku')
      .select(['l.sku', 'p.name as product_name', 'l.qty'])
      .where('l.fulfillment_id', '=', id)
      .orderBy('l.sku')
      .execute(),
    db
      .selectFrom('fulfillment_events')
      .select(['type', 'at', 'source'])
      .where('fulfillment_id', '=', id)
      .orderBy('id')
      .execute(),
  ]);
  return {
    id: f.id,
    order_id: f.order_id,
    location_id: f.location_id,
    type: f.type,
    speed: f.speed,
    status: f.status,
    next_statuses: nextStatuses(f.type, f.status),
    eta: f.eta ? new Date(f.eta).toISOString() : null,
    courier: f.courier,
    lines,
    events: events.map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), source: e.source })),
    created_at: f.created_at.toISOString(),
  };
}

/** Fulfilments newest first, a page at a time, at one location and in the given statuses if asked. */
export async function listFulfilments(
  db: Queryable,
  f: { location_id?: string; status?: string[]; cursor?: string; limit: number; order?: 'newest' | 'oldest' },
) {
  const after = decodeCursor(f.cursor, 2, ['time', 'string']);
  // Newest first by default; a store's work queue reads its oldest (most urgent) tasks first.
  const dir = f.order === 'oldest' ? 'asc' : 'desc';
  const past = f.order === 'oldest' ? '>' : '<';
  let q = db
    .selectFrom('fulfillments')
    // The exact µs time for the cursor: a JS date would cut it to ms and repeat or skip rows.
    .select(['id', sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at')])
    .orderBy('created_at', dir)
    .orderBy('id', dir)
    .limit(f.limit + 1);
  if (f.location_id) q = q.where('location_id', '=', f.location_id);
  if (f.status && f.status.length) q = q.where('status', 'in', f.status);
  if (after) {
    const [at, id] = [sql<Date>`${String(after[0])}::timestamptz`, String(after[1])];
    q = q.where((eb) => eb.or([eb('created_at', past, at), eb.and([eb('created_at', '=', at), eb('id', past, id)])]));
  }
  const rows = await q.execute();
  const { items, next_cursor } = page(rows, f.limit, (r) => [r.at, r.id]);
  const out: FulfilmentView[] = [];
  for (const r of items) out.push((await readFulfilment(db, r.id))!);
  return { items: out, next_cursor };
}

async function lockFulfilment(tx: Tx, id: string, principal: Principal | null) {
  await lockOrderOfFulfilment(tx, id);
  const f = await tx
    .selectFrom('fulfillments')
    .select(['id', 'order_id', 'location_id', 'type', 'status'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!f) throw notFound('fulfilment', 'id');
  if (principal?.role === 'store_staff' && principal.locationId !== f.location_id)
    throw forbidden('this fulfilment belongs to another store');
  return f;
}

/** Applies one event under the state machine, then updates the order's status. */
export async function applyEvent(
  tx: Tx,
  fulfilmentId: string,
  event: FulfilmentEvent,
  at: Date,
  source: string,
  principal: Principal | null,
): Promise<void> {
  const f = await lockFulfilment(tx, fulfilmentId, principal);
  if (!allowed(f.type, f.status, event))
    throw conflict('invalid_transition', `a ${f.type} fulfilment that is ${f.status} cannot become ${event}`, 'type');
  await tx.updateTable('fulfillments').set({ status: event, updated_at: at }).where('id', '=', f.id).execute();
  await tx.insertInto('fulfillment_events').values({ fulfillment_id: f.id, type: event, at, source }).execute();
  const statuses = (
    await tx.selectFrom('fulfillments').select('status').where('order_id', '=', f.order_id).forUpdate().execute()
  ).map((r) => r.status);
  const orderStatus = orderStatusFrom(statuses);
  await followFulfilments(tx, f.order_id, orderStatus, at);
  await publish(tx, {
    aggregateType: 'order',
    aggregateId: f.order_id,
    type: `fulfillment.${event}`,
    payload: {
      order_id: f.order_id,
      fulfillment_id: f.id,
      location_id: f.location_id,
      status: event,
      order_status: orderStatus,
    },
  });
  if (orderStatus === 'completed')
    await publish(tx, {
      aggregateType: 'order',
      aggregateId: f.order_id,
      type: 'order.completed',
      payload: { order_id: f.order_id, completed_at: at.toISOString() },
    });
}

export async function recordEvent(
  ctx: AppContext,
  principal: Principal,
  id: string,
  event: FulfilmentEvent,
  at: Date | undefined,
): Promise<FulfilmentView> {
  await transact(ctx.database.db, (tx) =>
    applyEvent(tx, id, event, at ?? new Date(), `api:${principal.keyId}`, principal),
  );
  return (await readFulfilment(ctx.database.db, id))!;
}

/** Hands a pickup order over at the counter: the customer's pickup code must match (5 wrong codes lock the pickup). */
export async function collect(
  ctx: AppContext,
  principal: Principal,
  id: string,
  code: string,
): Promise<FulfilmentView> {
  const refused = await transact(ctx.database.db, async (tx) => {
    const f = await lockFulfilment(tx, id, principal);
    if (f.type !== 'pickup') throw conflict('invalid_transition', 'only pickup fulfilments are collected', 'id');
    const pickupCode = await pickupCodeOf(tx, f.order_id);
    const refusal = await checkPickupCode(tx, f, principal, pickupCode, code);
    if (!refusal) {
      await applyEvent(tx, id, 'collected', new Date(), `collect:${principal.keyId}`, principal);
      // Units held at the store for the order (a group-buy order's) are sold as it is handed over.
      await consumeHeldReservations(tx, f.order_id, new Date());
    }
    return refusal;
  });
  if (refused) throw refused;
  return (await readFulfilment(ctx.database.db, id))!;
}
