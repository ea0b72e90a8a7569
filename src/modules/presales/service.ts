import { sql, type Selectable } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { publish } from '../../platform/events/outbox';
import { conflict, notFound, unprocessable } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { newId } from '../../platform/ids';
import { existingSkus, productNamesOf } from '../catalog/public';
import { createTemplate, issueCoupon, voidCoupon } from '../loyalty/coupons/public';
import type { PresalesTable, PresaleReservationsTable, ReservationStatus } from './tables';
import './tables';

/** How long after the launch a paid deposit can still be deducted. */
const DEPOSIT_VALID_DAYS_AFTER_LAUNCH = 90;
const DAY_MS = 86_400_000;

type PresaleRow = Selectable<PresalesTable>;
type ReservationRow = Selectable<PresaleReservationsTable>;

interface PresaleInput {
  sku: string;
  title: string;
  launch_at: string;
  deposit?: number;
  per_customer_limit: number;
}

function presaleView(p: PresaleRow, name: string | null, counts?: { reservations: number; units: number }) {
  return {
    id: p.id,
    sku: p.sku,
    product_name: name,
    title: p.title,
    launch_at: new Date(p.launch_at).toISOString(),
    deposit: Number(p.deposit),
    per_customer_limit: p.per_customer_limit,
    status: p.status,
    launched_at: p.launched_at ? new Date(p.launched_at).toISOString() : null,
    created_at: new Date(p.created_at).toISOString(),
    reservations: counts?.reservations ?? 0,
    units: counts?.units ?? 0,
  };
}
type PresaleView = ReturnType<typeof presaleView>;

function reservationView(r: ReservationRow) {
  return {
    id: r.id,
    presale_id: r.presale_id,
    customer_id: r.customer_id,
    location_id: r.location_id,
    qty: r.qty,
    deposit: Number(r.deposit),
    status: r.status,
    channel: r.channel,
    paid_at: r.paid_at ? new Date(r.paid_at).toISOString() : null,
    order_id: r.order_id,
    refunded: Number(r.refunded),
    cancelled_at: r.cancelled_at ? new Date(r.cancelled_at).toISOString() : null,
    created_at: new Date(r.created_at).toISOString(),
  };
}
export type ReservationView = ReturnType<typeof reservationView>;

/** Reservations held or pending and units held, per pre-sale (a converted one still counts, a cancelled one not). */
async function countsOf(db: Queryable, ids: string[]) {
  const out = new Map<string, { reservations: number; units: number }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('presale_reservations')
    .select((eb) => [
      'presale_id',
      eb.fn.countAll<string>().as('n'),
      sql<string>`coalesce(sum(qty) FILTER (WHERE status <> 'pending_payment'), 0)`.as('units'),
    ])
    .where('presale_id', 'in', ids)
    .where('status', '<>', 'cancelled')
    .groupBy('presale_id')
    .execute();
  for (const r of rows) out.set(r.presale_id, { reservations: Number(r.n), units: Number(r.units) });
  return out;
}

/**
 * A new pre-sale. With a deposit, its coupon template too (amount_off = the deposit, this SKU, in
 * store, stackable): paying a deposit issues one to the customer, and the order at launch redeems it.
 */
export async function createPresale(db: Queryable, input: PresaleInput, now = new Date()): Promise<PresaleView> {
  if (!(await existingSkus(db, [input.sku])).has(input.sku))
    throw unprocessable('unknown_sku', `product ${input.sku} does not exist`, 'sku');
  const launchAt = new Date(input.launch_at);
  const deposit = input.deposit ?? 0;
  return transact(db, async (tx) => {
    const template =
      deposit > 0
        ? await createTemplate(
            tx,
            {
              name: `预约定金 ${input.title}`.slice(0, 100),
              description: 'pre-sale deposit, deducted from the order at launch',
              kind: 'amount_off',
              value: deposit,
              channels: ['store'],
              skus: [input.sku],
              per_customer_limit: 1,
              stackable: true,
              valid_from: now.toISOString(),
              valid_to: new Date(launchAt.getTime() + DEPOSIT_VALID_DAYS_AFTER_LAUNCH * DAY_MS).toISOString(),
            },
            now,
          )
        : null;
    const row = await tx
      .insertInto('presales')
      .values({
        id: newId('pre', now.getTime()),
        sku: input.sku,
        title: input.title,
        launch_at: launchAt,
        deposit,
        per_customer_limit: input.per_customer_limit,
        status: 'open',
        coupon_template_id: template?.id ?? null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const names = await productNamesOf(tx, [row.sku]);
    return presaleView(row, names.get(row.sku) ?? null);
  });
}

export async function listPresales(
  db: Queryable,
  q: { status?: 'open' | 'launched'; cursor?: string; limit: number },
): Promise<{ items: PresaleView[]; next_cursor: string | null }> {
  const after = decodeCursor(q.cursor, 2, ['time', 'string']);
  let query = db.selectFrom('presales').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (after)
    query = query.where(
      sql<boolean>`(created_at, id COLLATE "C") < (${String(after[0])}::timestamptz, ${String(after[1])} COLLATE "C")`,
    );
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy(sql`id COLLATE "C"`, 'desc')
    .limit(q.limit + 1)
    .execute();
  const [counts, names] = await Promise.all([
    countsOf(
      db,
      rows.map((r) => r.id),
    ),
    productNamesOf(db, [...new Set(rows.map((r) => r.sku))]),
  ]);
  const views = rows.map((r) => presaleView(r, names.get(r.sku) ?? null, counts.get(r.id)));
  return page(views, q.limit, (v) => [v.created_at, v.id]);
}

async function findPresale(db: Queryable, id: string): Promise<PresaleRow> {
  const p = await db.selectFrom('presales').selectAll().where('id', '=', id).executeTakeFirst();
  if (!p) throw notFound('pre-sale', 'id');
  return p;
}

export async function readPresale(db: Queryable, id: string): Promise<PresaleView> {
  const p = await findPresale(db, id);
  const [counts, names] = await Promise.all([countsOf(db, [id]), productNamesOf(db, [p.sku])]);
  return presaleView(p, names.get(p.sku) ?? null, counts.get(id));
}

/** The presale.reserved event: a reservation is held (made without a deposit, or its deposit paid). */
async function publishReserved(tx: Tx, p: PresaleRow, r: ReservationRow): Promise<void> {
  await publish(tx, {
    aggregateType: 'presale',
    aggregateId: p.id,
    type: 'presale.reserved',
    payload: {
      presale_id: p.id,
      reservation_id: r.id,
      sku: p.sku,
      customer_id: r.customer_id,
      location_id: r.location_id,
      channel: r.channel,
      qty: r.qty,
      launch_at: new Date(p.launch_at).toISOString(),
    },
  });
}

/** The person's reservation of this pre-sale that is not cancelled, if any. */
const liveReservation = (tx: Tx, presaleId: string, customerId: string) =>
  tx
    .selectFrom('presale_reservations')
    .selectAll()
    .where('presale_id', '=', presaleId)
    .where('customer_id', '=', customerId)
    .where('status', '<>', 'cancelled')
    .executeTakeFirst();

/**
 * Reserves for a person (a group root) at a store, through a channel: one reservation per person
 * and pre-sale (cancelled ones aside), so asking again answers the one they have (`created: false`).
 * Without a deposit it is held at once; with one it waits for the deposit (payDeposit). Refused
 * once the pre-sale has launched: the row is read FOR SHARE, so a launch waits for reservations
 * under way and they for it.
 */
export async function reserve(
  db: Queryable,
  presaleId: string,
  input: { customerId: string; locationId: string; qty: number; channel: string },
  now = new Date(),
): Promise<{ created: boolean; reservation: ReservationView }> {
  return transact(db, async (tx) => {
    const p = await tx.selectFrom('presales').selectAll().where('id', '=', presaleId).forShare().executeTakeFirst();
    if (!p) throw notFound('pre-sale', 'id');
    const had = await liveReservation(tx, presaleId, input.customerId);
    if (had) return { created: false, reservation: reservationView(had) };
    if (p.status !== 'open')
      throw unprocessable('presale_launched', `pre-sale ${p.id} has launched: reservations are closed`, 'id');
    if (input.qty > p.per_customer_limit)
      throw unprocessable(
        'presale_limit_exceeded',
        `at most ${p.per_customer_limit} per customer for this pre-sale`,
        'qty',
        { per_customer_limit: p.per_customer_limit },
      );
    const deposit = Number(p.deposit);
    const inserted = await tx
      .insertInto('presale_reservations')
      .values({
        id: newId('prr', now.getTime()),
        presale_id: p.id,
        customer_id: input.customerId,
        location_id: input.locationId,
        qty: input.qty,
        deposit,
        status: deposit > 0 ? 'pending_payment' : 'reserved',
        channel: input.channel,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['presale_id', 'customer_id']).where('status', '<>', 'cancelled').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) {
      // the same person reserving concurrently: theirs committed first
      const theirs = await liveReservation(tx, presaleId, input.customerId);
      return { created: false, reservation: reservationView(theirs!) };
    }
    if (inserted.status === 'reserved') await publishReserved(tx, p, inserted);
    return { created: true, reservation: reservationView(inserted) };
  });
}

/** A reservation row of this pre-sale, locked (after its pre-sale's row: locks.ts). */
async function lockReservation(tx: Tx, presaleId: string, id: string): Promise<ReservationRow> {
  const r = await tx
    .selectFrom('presale_reservations')
    .selectAll()
    .where('id', '=', id)
    .where('presale_id', '=', presaleId)
    .forUpdate()
    .executeTakeFirst();
  if (!r) throw notFound('reservation', 'reservation_id');
  return r;
}

/**
 * Records the deposit's payment, like an order's (payment_ref, method): the reservation is held
 * and the deposit becomes a coupon of the customer for this SKU at the reservation's store, which
 * the order at launch redeems. The same payment confirmed twice answers the same.
 */
export async function payDeposit(
  db: Queryable,
  presaleId: string,
  id: string,
  pay: { payment_ref: string; payment_method?: string },
  now = new Date(),
  authorize: (locationId: string) => void = () => {},
): Promise<ReservationView> {
  return transact(db, async (tx) => {
    const p = await tx.selectFrom('presales').selectAll().where('id', '=', presaleId).forShare().executeTakeFirst();
    if (!p) throw notFound('pre-sale', 'id');
    const r = await lockReservation(tx, presaleId, id);
    authorize(r.location_id);
    if (r.status !== 'pending_payment') {
      if (r.payment_ref === pay.payment_ref) return reservationView(r);
      throw conflict('reservation_not_payable', `reservation is ${r.status}`, 'reservation_id');
    }
    // the coupon is the last lock this transaction takes (locks.ts: issuing a coupon)
    const coupon = await issueCoupon(tx, {
      template_id: p.coupon_template_id!,
      customer_id: r.customer_id,
      via: 'issue',
      scope_sku: p.sku,
      scope_location: r.location_id,
      channel: 'pos',
      now,
    });
    const held = await tx
      .updateTable('presale_reservations')
      .set({
        status: 'reserved',
        payment_ref: pay.payment_ref,
        payment_method: pay.payment_method ?? null,
        paid_at: now,
        coupon_code: coupon.code,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishReserved(tx, p, held);
    return reservationView(held);
  });
}

const CANCELLABLE: ReservationStatus[] = ['pending_payment', 'reserved'];

/**
 * Cancels a reservation not yet sold (before or after the launch), as an order is cancelled: a
 * deposit paid is refunded (`refunded`, published with its payment_ref in
 * presale.reservation_cancelled for the payment provider) and its coupon voided, unless that
 * coupon was already spent on an order (then the deposit was deducted there: nothing to refund).
 * Cancelling again answers the cancelled reservation; a converted one is 409 (its order is
 * returned instead). The person may then reserve again.
 */
export async function cancelReservation(
  db: Queryable,
  presaleId: string,
  id: string,
  reason: string | null,
  now = new Date(),
  authorize: (locationId: string) => void = () => {},
): Promise<ReservationView> {
  return transact(db, async (tx) => {
    const p = await tx.selectFrom('presales').selectAll().where('id', '=', presaleId).forShare().executeTakeFirst();
    if (!p) throw notFound('pre-sale', 'id');
    const r = await lockReservation(tx, presaleId, id);
    authorize(r.location_id);
    if (r.status === 'cancelled') return reservationView(r);
    if (!CANCELLABLE.includes(r.status))
      throw conflict('reservation_not_cancellable', `reservation is ${r.status}`, 'reservation_id', {
        status: r.status,
      });
    // the coupon is the last lock this transaction takes (locks.ts)
    const coupon = r.coupon_code ? await voidCoupon(tx, r.coupon_code, now) : null;
    const refunded = r.paid_at && coupon !== 'redeemed' ? Number(r.deposit) : 0;
    const cancelled = await tx
      .updateTable('presale_reservations')
      .set({ status: 'cancelled', refunded, cancelled_at: now, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publish(tx, {
      aggregateType: 'presale',
      aggregateId: p.id,
      type: 'presale.reservation_cancelled',
      payload: {
        presale_id: p.id,
        reservation_id: id,
        sku: p.sku,
        customer_id: r.customer_id,
        location_id: r.location_id,
        previous_status: r.status,
        refunded,
        payment_ref: r.payment_ref,
        payment_method: r.payment_method,
        reason,
      },
    });
    return reservationView(cancelled);
  });
}

/**
 * Launches the pre-sale: reservations close and held ones may be converted into orders. Launching
 * again answers the launched pre-sale. presale.launched carries the units held per store.
 */
export async function launch(db: Queryable, id: string, now = new Date()): Promise<PresaleView> {
  await transact(db, async (tx) => {
    const p = await tx.selectFrom('presales').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!p) throw notFound('pre-sale', 'id');
    if (p.status === 'launched') return;
    await tx.updateTable('presales').set({ status: 'launched', launched_at: now }).where('id', '=', id).execute();
    const stores = await demandRows(tx, id);
    await publish(tx, {
      aggregateType: 'presale',
      aggregateId: id,
      type: 'presale.launched',
      payload: {
        presale_id: id,
        sku: p.sku,
        launched_at: now.toISOString(),
        stores: stores.map((s) => ({ location_id: s.location_id, units: s.units, reservations: s.reservations })),
      },
    });
  });
  return readPresale(db, id);
}

/**
 * Launches the open pre-sales whose launch_at has come (the dispatcher's periodic task, so nobody
 * needs to press the button): each through launch(), whose row lock makes it happen once whichever
 * process or person gets there first. Answers how many it found due.
 */
export async function launchDue(db: Queryable, now = new Date()): Promise<number> {
  const due = await db
    .selectFrom('presales')
    .select('id')
    .where('status', '=', 'open')
    .where('launch_at', '<=', now)
    .orderBy('launch_at')
    .limit(20)
    .execute();
  for (const p of due) await launch(db, p.id, now);
  return due.length;
}

/** Claims a held reservation for conversion (so two conversions cannot both place an order). */
export async function claimForConversion(
  db: Queryable,
  presaleId: string,
  id: string,
  authorize: (locationId: string) => void,
): Promise<ReservationRow & { sku: string }> {
  return transact(db, async (tx) => {
    const p = await tx.selectFrom('presales').selectAll().where('id', '=', presaleId).forShare().executeTakeFirst();
    if (!p) throw notFound('pre-sale', 'id');
    if (p.status !== 'launched')
      throw unprocessable('presale_not_launched', `pre-sale ${p.id} has not launched yet`, 'id');
    const r = await lockReservation(tx, presaleId, id);
    authorize(r.location_id);
    if (r.status !== 'reserved')
      throw conflict('reservation_not_convertible', `reservation is ${r.status}`, 'reservation_id', {
        status: r.status,
      });
    await tx.updateTable('presale_reservations').set({ status: 'converting' }).where('id', '=', id).execute();
    return { ...r, sku: p.sku };
  });
}

/** Ends a conversion: converted into this order, or (no order) held again. */
export async function finishConversion(
  db: Queryable,
  id: string,
  orderId: string | null,
  now = new Date(),
): Promise<ReservationView> {
  const status: ReservationStatus = orderId ? 'converted' : 'reserved';
  const r = await db
    .updateTable('presale_reservations')
    .set({ status, order_id: orderId, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'converting')
    .returningAll()
    .executeTakeFirstOrThrow();
  return reservationView(r);
}

async function demandRows(db: Queryable, presaleId: string) {
  const r = await sql<{ location_id: string; reservations: string; units: string; pending: string; deposits: string }>`
    SELECT location_id,
           count(*) FILTER (WHERE status <> 'pending_payment') AS reservations,
           coalesce(sum(qty) FILTER (WHERE status <> 'pending_payment'), 0) AS units,
           count(*) FILTER (WHERE status = 'pending_payment') AS pending,
           coalesce(sum(deposit) FILTER (WHERE paid_at IS NOT NULL), 0) AS deposits
    FROM presale_reservations WHERE presale_id = ${presaleId} AND status <> 'cancelled'
    GROUP BY location_id ORDER BY location_id COLLATE "C"`.execute(db);
  return r.rows.map((x) => ({
    location_id: x.location_id,
    reservations: Number(x.reservations),
    units: Number(x.units),
    pending_payment: Number(x.pending),
    deposits_paid: Number(x.deposits),
  }));
}

/** Demand per store for stocking up: reservations held (or converted), units, deposits paid (fen); cancelled ones left out. */
export async function demand(db: Queryable, presaleId: string) {
  const p = await findPresale(db, presaleId);
  const items = await demandRows(db, presaleId);
  return {
    presale_id: p.id,
    sku: p.sku,
    launch_at: new Date(p.launch_at).toISOString(),
    group_by: 'location' as const,
    total_units: items.reduce((s, i) => s + i.units, 0),
    total_reservations: items.reduce((s, i) => s + i.reservations, 0),
    items,
  };
}

/** A pre-sale's reservations at a store (or all), oldest first: whom to invite. */
export async function listReservations(
  db: Queryable,
  presaleId: string,
  q: { locationId?: string; status?: ReservationStatus; cursor?: string; limit: number },
): Promise<{ items: ReservationView[]; next_cursor: string | null }> {
  await findPresale(db, presaleId);
  const after = decodeCursor(q.cursor, 2, ['time', 'string']);
  let query = db.selectFrom('presale_reservations').selectAll().where('presale_id', '=', presaleId);
  if (q.locationId) query = query.where('location_id', '=', q.locationId);
  if (q.status) query = query.where('status', '=', q.status);
  if (after)
    query = query.where(
      sql<boolean>`(created_at, id COLLATE "C") > (${String(after[0])}::timestamptz, ${String(after[1])} COLLATE "C")`,
    );
  const rows = await query
    .orderBy('created_at')
    .orderBy(sql`id COLLATE "C"`)
    .limit(q.limit + 1)
    .execute();
  return page(rows.map(reservationView), q.limit, (v) => [v.created_at, v.id]);
}
