import './tables';
import { mayActOn, ownerOf } from '../../../platform/auth/policy';
import type { Channel, Principal } from '../../../platform/auth/roles';
import type { Queryable, Tx } from '../../../platform/db/database';
import { lockCoupons } from './locks';
import { publish } from '../../../platform/events/outbox';
import { rootOf } from '../../customers/public';
import { AppError, conflict, forbidden, notFound, unprocessable } from '../../../platform/http/errors';
import { parseCouponCode } from './codes';
import { usability, type CouponProblem, type CouponRow, type TemplateRow } from './scope';

export interface Redemption {
  order_ref: string;
  channel: Channel;
  location_id: string | null;
  now: Date;
}

const alreadyRedeemed = (field: string) =>
  conflict('coupon_already_redeemed', 'the coupon has already been redeemed', field);

/** The one write that makes a redemption happen exactly once: the loser of a race finds no 'issued' row. */
async function markRedeemed(tx: Tx, c: CouponRow, amount: number, r: Redemption, field: string): Promise<Date> {
  const won = await tx
    .updateTable('coupons')
    .set({
      status: 'redeemed',
      order_ref: r.order_ref,
      redeemed_channel: r.channel,
      redeemed_location_id: r.location_id,
      redeemed_amount: amount,
      redeemed_at: r.now,
      updated_at: r.now,
    })
    .where('code', '=', c.code)
    .where('status', '=', 'issued')
    .returning('code')
    .executeTakeFirst();
  if (!won) throw alreadyRedeemed(field);
  await tx
    .insertInto('coupon_redemptions')
    .values({
      code: c.code,
      template_id: c.template_id,
      order_ref: r.order_ref,
      channel: r.channel,
      location_id: r.location_id,
      amount,
      redeemed_at: r.now,
      restored_at: null,
    })
    .execute();
  await publish(tx, {
    aggregateType: 'coupon',
    aggregateId: c.code,
    type: 'coupon.redeemed',
    payload: {
      code: c.code,
      template_id: c.template_id,
      customer_id: c.customer_id,
      order_ref: r.order_ref,
      channel: r.channel,
      location_id: r.location_id,
      amount,
      redeemed_at: r.now.toISOString(),
    },
  });
  return r.now;
}

/** Which request field a usability problem is about. */
function fieldOf(reason: CouponProblem, fields: { code: string; channel: string; location: string }): string {
  return reason === 'wrong_channel' ? fields.channel : reason === 'wrong_location' ? fields.location : fields.code;
}

/**
 * The Santong order a redemption is for. An order_ref naming one must be the caller's (their
 * store's, their channel's: 403); an integration key must name one (422 order_required), so it
 * cannot burn a coupon without a sale. A till's own document number names none.
 */
export async function orderOfRedemption(
  db: Queryable,
  p: Principal,
  orderRef: string,
): Promise<{ customer_id: string | null } | undefined> {
  const order = await ownerOf(db, 'order', orderRef);
  if (order && !mayActOn(p, order)) throw forbidden("the order is another store's or channel's");
  if (p.role !== 'integration') return undefined;
  if (!order)
    throw unprocessable(
      'order_required',
      `an integration key redeems for an order of channel ${p.channel}: order_ref is its id`,
      'order_ref',
    );
  return { customer_id: order.customerId };
}

/**
 * An external POS (or any till) redeems one code: format, existence, status, validity and
 * channel/store scope are checked, then the conditional update decides who wins. `forOrder`: the
 * Santong order the redemption is for (integration keys), whose customer must own the coupon.
 */
export async function redeemCode(
  tx: Tx,
  rawCode: string,
  input: {
    order_ref: string;
    channel: Channel;
    location_id: string | null;
    amount: number;
    forOrder?: { customer_id: string | null };
  },
  now: Date,
) {
  const parsed = parseCouponCode(rawCode);
  if (!parsed.ok) throw unprocessable('invalid_coupon_code', parsed.message, 'code');
  await lockCoupons(tx, [parsed.code]);
  const c = await tx.selectFrom('coupons').selectAll().where('code', '=', parsed.code).executeTakeFirst();
  if (!c) throw notFound('coupon', 'code');
  const t = await tx
    .selectFrom('coupon_templates')
    .selectAll()
    .where('id', '=', c.template_id)
    .executeTakeFirstOrThrow();
  if (c.status === 'redeemed') throw alreadyRedeemed('code');
  if (input.forOrder && !(await samePerson(tx, c.customer_id, input.forOrder.customer_id))) {
    throw unprocessable('coupon_not_yours', "the coupon belongs to another customer than the order's", 'code');
  }
  if (input.channel === 'pos' && input.location_id === null)
    throw unprocessable('location_required', 'a redemption at a till names its store', 'location_id');
  const problem = usability(c, t, input.channel, input.location_id, now, { locationRequired: true });
  if (problem)
    throw unprocessable(
      `coupon_${problem.reason}`,
      problem.message,
      fieldOf(problem.reason, { code: 'code', channel: 'channel', location: 'location_id' }),
    );
  const most = maxDiscount(t);
  if (most !== null && input.amount > most)
    throw unprocessable('amount_too_large', `this coupon takes at most ${most} fen off`, 'amount');
  await markRedeemed(
    tx,
    c,
    input.amount,
    { order_ref: input.order_ref, channel: input.channel, location_id: input.location_id, now },
    'code',
  );
  return {
    code: c.code,
    status: 'redeemed',
    template_id: c.template_id,
    customer_id: c.customer_id,
    order_ref: input.order_ref,
    channel: input.channel,
    location_id: input.location_id,
    amount: input.amount,
    redeemed_at: now.toISOString(),
  };
}

async function samePerson(tx: Tx, a: string, b: string | null): Promise<boolean> {
  if (b === null) return false;
  const [ra, rb] = await Promise.all([rootOf(tx, a), rootOf(tx, b)]);
  return ra !== null && ra === rb;
}

/** The most a coupon of this template can take off, when the template says (amount_off, threshold, capped percent_off). */
function maxDiscount(t: TemplateRow): number | null {
  if (t.kind === 'amount_off' || t.kind === 'threshold') return Number(t.value);
  if (t.kind === 'percent_off' && t.cap !== null) return Number(t.cap);
  return null;
}

/**
 * Marks the codes redeemed for an order, exactly once each, in the order's transaction. A code
 * redeemed meanwhile → 409 coupon_already_redeemed naming its field; a code that is no longer
 * usable (expired between quote and order, another customer's...) → 422 naming its field.
 */
export async function redeemForOrder(
  tx: Tx,
  uses: { code: string; field: string; amount: number }[],
  order: Redemption & { members?: string[] | null },
): Promise<void> {
  // All of them in the lock order first (rank 3, platform/db/locks.ts), not in the order given.
  await lockCoupons(
    tx,
    uses.map((u) => parseCouponCode(u.code)).flatMap((p) => (p.ok ? [p.code] : [])),
  );
  for (const u of uses) {
    const parsed = parseCouponCode(u.code);
    if (!parsed.ok) throw unprocessable('invalid_coupon_code', parsed.message, u.field);
    const c = await tx.selectFrom('coupons').selectAll().where('code', '=', parsed.code).executeTakeFirst();
    if (!c) throw unprocessable('coupon_not_found', `no coupon ${u.code}`, u.field);
    if (c.status === 'redeemed') throw alreadyRedeemed(u.field);
    if (order.members && !order.members.includes(c.customer_id))
      throw unprocessable('coupon_not_yours', 'the coupon belongs to another customer', u.field);
    const t = await tx
      .selectFrom('coupon_templates')
      .selectAll()
      .where('id', '=', c.template_id)
      .executeTakeFirstOrThrow();
    const problem = usability(c, t, order.channel, order.location_id, order.now, { locationRequired: true });
    if (problem) throw new AppError(422, `coupon_${problem.reason}`, problem.message, u.field);
    await markRedeemed(tx, c, u.amount, order, u.field);
  }
}

/**
 * The order was cancelled, expired or fully returned: its coupons whose template says
 * restore_on_cancel become usable again (or expired, when their validity ended meanwhile).
 * The redemption row is kept, marked restored. Returns the codes given back. Idempotent.
 */
export async function restoreForOrder(tx: Tx, orderRef: string, now: Date): Promise<string[]> {
  const rows = await tx
    .selectFrom('coupon_redemptions as r')
    .innerJoin('coupon_templates as t', 't.id', 'r.template_id')
    .select(['r.id', 'r.code', 'r.template_id', 'r.channel'])
    .where('r.order_ref', '=', orderRef)
    .where('r.restored_at', 'is', null)
    .where('t.restore_on_cancel', '=', true)
    .orderBy('r.code')
    .execute();
  await lockCoupons(
    tx,
    rows.map((r) => r.code),
  ); // in the lock order (rank 3, platform/db/locks.ts)
  const restored: string[] = [];
  for (const r of rows) {
    const back = await tx
      .updateTable('coupons')
      .set((eb) => ({
        status: eb
          .case()
          .when('valid_to', '<=', now)
          .then('expired' as const)
          .else('issued' as const)
          .end(),
        order_ref: null,
        redeemed_channel: null,
        redeemed_location_id: null,
        redeemed_amount: null,
        redeemed_at: null,
        updated_at: now,
      }))
      .where('code', '=', r.code)
      .where('status', '=', 'redeemed')
      .where('order_ref', '=', orderRef)
      .returning(['code', 'status', 'customer_id'])
      .executeTakeFirst();
    await tx.updateTable('coupon_redemptions').set({ restored_at: now }).where('id', '=', r.id).execute();
    if (!back) continue;
    restored.push(back.code);
    await publish(tx, {
      aggregateType: 'coupon',
      aggregateId: back.code,
      type: 'coupon.restored',
      payload: {
        code: back.code,
        template_id: r.template_id,
        customer_id: back.customer_id,
        order_ref: orderRef,
        status: back.status,
        restored_at: now.toISOString(),
      },
    });
  }
  return restored;
}
