import './tables';
import '../points/tables';
import { sql } from 'kysely';
import type { Queryable, Tx } from '../../../platform/db/database';
import { publish } from '../../../platform/events/outbox';
import { unprocessable } from '../../../platform/http/errors';
import { currentTimezone, expiryOf } from '../points/expiry-date';
import { grantCoupon, type GrantResult } from '../points/grant-coupon';
import { credit, lockedPerson, personOf, type Person } from '../points/ledger';
import { loyaltyRules } from '../points/rules';
import { sharedIdentifierType } from '../../customers/public';
import { orderSummaries } from '../../orders/public';
import { newInviteCode, normaliseCode } from './codes';

/** The person's invite code, created on first request (one per person; unique). */
export async function inviteCode(db: Queryable, person: Person): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const have = await db
      .selectFrom('referral_codes')
      .select('code')
      .where('customer_id', 'in', person.members)
      .orderBy('created_at')
      .orderBy('code')
      .executeTakeFirst();
    if (have) return have.code;
    // ON CONFLICT covers both a concurrent first request for this person and a taken code.
    const made = await db
      .insertInto('referral_codes')
      .values({ customer_id: person.root, code: newInviteCode() })
      .onConflict((oc) => oc.doNothing())
      .returning('code')
      .executeTakeFirst();
    if (made) return made.code;
  }
  throw new Error('could not allot an invite code');
}

/** Has the person a paid order already (before `now`), or an order that earned points? */
async function hasPaidOrder(db: Queryable, members: string[], now: Date): Promise<boolean> {
  const r = await sql<{ n: number }>`
    SELECT 1 AS n FROM ${orderSummaries} o WHERE customer_id = ANY(${members}::text[]) AND paid_at IS NOT NULL AND paid_at < ${now} AND status NOT IN ('cancelled', 'expired')
    UNION ALL SELECT 1 FROM tier_spend WHERE customer_id = ANY(${members}::text[]) AND ref = 'order'
    LIMIT 1`.execute(db);
  return r.rows.length > 0;
}

/**
 * Binds a new customer to the member whose invite code they used (at order placement or sign-up).
 * 422 naming `field`: unknown code, self-referral (the same person, or the two share any
 * identifier, device included), not a new customer (a paid order already), or already referred
 * by someone else. Binding again with the same code is a no-op.
 */
export async function bindReferral(
  tx: Tx,
  input: { code: string; customer_id: string; field: string; now: Date },
): Promise<void> {
  const code = normaliseCode(input.code);
  const owner = await tx.selectFrom('referral_codes').select('customer_id').where('code', '=', code).executeTakeFirst();
  const referee = await lockedPerson(tx, input.customer_id);
  const referrer = owner ? await personOf(tx, owner.customer_id) : null;
  if (!owner || !referrer)
    throw unprocessable('unknown_referral_code', `no member has invite code ${input.code}`, input.field);
  if (referrer.root === referee.root)
    throw unprocessable('self_referral', 'a member cannot use their own invite code', input.field);
  const shared = await sharedIdentifierType(tx, referee.members, referrer.members);
  if (shared)
    throw unprocessable(
      'self_referral',
      `the invited customer shares a ${shared} with the member who invited them`,
      input.field,
    );
  const existing = await tx
    .selectFrom('referrals')
    .select(['referrer_id', 'code'])
    .where('referee_id', 'in', referee.members)
    .executeTakeFirst();
  if (existing) {
    if (existing.code === code) return;
    throw unprocessable('already_referred', 'this customer was already invited by another member', input.field);
  }
  if (await hasPaidOrder(tx, referee.members, input.now))
    throw unprocessable(
      'not_a_new_customer',
      'only a customer without a paid order can use an invite code',
      input.field,
    );
  await tx
    .insertInto('referrals')
    .values({
      referee_id: referee.root,
      referrer_id: referrer.root,
      code,
      bound_at: input.now,
      order_ref: null,
      rewarded_at: null,
      reward: null,
    })
    .execute();
}

/**
 * Called by earnForOrder (referee locked): on the referee's first paid order, rewards both as the
 * rules say (points and/or coupons), once per referee, and publishes referral.rewarded.
 * The referrer's points are added without taking their lock: adding to a balance cannot take it
 * below zero, and locking a second person here could deadlock with their own order.
 */
export async function rewardReferral(tx: Tx, referee: Person, orderRef: string, now: Date): Promise<boolean> {
  const ref = await tx
    .selectFrom('referrals')
    .selectAll()
    .where('referee_id', 'in', referee.members)
    .where('rewarded_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!ref) return false;
  const earlier = await tx
    .selectFrom('tier_spend')
    .select('id')
    .where('customer_id', 'in', referee.members)
    .where('ref', '=', 'order')
    .where('order_ref', '<>', orderRef)
    .executeTakeFirst();
  if (earlier) return false; // not the first paid order: the invitation lapses unrewarded
  const rules = await loyaltyRules(tx);
  const r = rules.referral;
  const referrer = await personOf(tx, ref.referrer_id);
  const expires_at = expiryOf(now, rules.expiry_months, currentTimezone());
  const base = {
    kind: 'earn' as const,
    source: 'referral',
    order_ref: orderRef,
    event_ref: `referral:${ref.referee_id}`,
    created_at: now,
    expires_at,
  };
  if (r.referee_points > 0)
    await credit(tx, {
      ...base,
      customer_id: referee.root,
      points: r.referee_points,
      idempotency_key: `referral:${ref.referee_id}:referee`,
      reason: 'referral: invited',
    });
  if (r.referrer_points > 0)
    await credit(tx, {
      ...base,
      customer_id: referrer.root,
      points: r.referrer_points,
      idempotency_key: `referral:${ref.referee_id}:referrer`,
      reason: 'referral: invited a new customer',
    });
  const coupons: { referrer: GrantResult | null; referee: GrantResult | null } = { referrer: null, referee: null };
  if (r.referee_coupon_template_id)
    coupons.referee = await grantCoupon(tx, {
      template_id: r.referee_coupon_template_id,
      customer_id: referee.root,
      via: 'referral',
      now,
    });
  if (r.referrer_coupon_template_id)
    coupons.referrer = await grantCoupon(tx, {
      template_id: r.referrer_coupon_template_id,
      customer_id: referrer.root,
      via: 'referral',
      now,
    });
  const reward = { referrer_points: r.referrer_points, referee_points: r.referee_points, coupons };
  await tx
    .updateTable('referrals')
    .set({ rewarded_at: now, order_ref: orderRef, reward: JSON.stringify(reward) })
    .where('referee_id', '=', ref.referee_id)
    .execute();
  await publish(tx, {
    aggregateType: 'customer',
    aggregateId: referrer.root,
    type: 'referral.rewarded',
    payload: { referrer_id: referrer.root, referee_id: referee.root, order_ref: orderRef, ...reward },
  });
  return true;
}

export interface ReferralsView {
  code: string;
  referred_by: { customer_id: string; code: string; bound_at: string; rewarded_at: string | null } | null;
  referred: { customer_id: string; bound_at: string; rewarded_at: string | null; order_ref: string | null }[];
  rewards: { count: number; points: number };
}

/** The member's invite code (created on first request), whom they invited, and what it earned them. */
export async function referralsView(db: Queryable, person: Person): Promise<ReferralsView> {
  const code = await inviteCode(db, person);
  const [referred, by, points] = await Promise.all([
    db
      .selectFrom('referrals')
      .selectAll()
      .where('referrer_id', 'in', person.members)
      .orderBy('bound_at', 'desc')
      .limit(500)
      .execute(),
    db.selectFrom('referrals').selectAll().where('referee_id', 'in', person.members).executeTakeFirst(),
    db
      .selectFrom('points_entries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('points'), sql<string>`0`).as('n'))
      .where('customer_id', 'in', person.members)
      .where('source', '=', 'referral')
      .where('idempotency_key', 'like', '%:referrer')
      .executeTakeFirstOrThrow(),
  ]);
  return {
    code,
    referred_by: by
      ? {
          customer_id: by.referrer_id,
          code: by.code,
          bound_at: by.bound_at.toISOString(),
          rewarded_at: by.rewarded_at?.toISOString() ?? null,
        }
      : null,
    referred: referred.map((r) => ({
      customer_id: r.referee_id,
      bound_at: r.bound_at.toISOString(),
      rewarded_at: r.rewarded_at?.toISOString() ?? null,
      order_ref: r.order_ref,
    })),
    rewards: { count: referred.filter((r) => r.rewarded_at !== null).length, points: Number(points.n) },
  };
}
