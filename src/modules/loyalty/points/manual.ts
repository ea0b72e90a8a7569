import type { Principal } from '../../../platform/auth/roles';
import { audit } from '../../../platform/audit/audit';
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database';
import { AppError, unprocessable } from '../../../platform/http/errors';
import { currentTimezone, expiryOf } from './expiry-date';
import { balanceOf, credit, debit, entryByKey, expireDueFor, lockedPerson, type Person } from './ledger';
import { loyaltyRules, type LoyaltyRules } from './rules';

/**
 * A manual adjustment by staff (admin, support), with a reason, audited in the same transaction.
 * Positive: a new bucket expiring like earned points. Negative: taken first-expiring first;
 * 422 insufficient_points (field 'points') if it would take the balance below zero.
 */
export async function adjustPoints(
  tx: Tx,
  actor: Principal | null,
  input: { customer_id: string; points: number; reason: string; now: Date },
): Promise<{ customer_id: string; entry_id: string; points: number; balance: number }> {
  const person = await lockedPerson(tx, input.customer_id);
  await expireDueFor(tx, person, input.now);
  const balance = await balanceOf(tx, person.members);
  const base = {
    customer_id: person.root,
    kind: 'adjust' as const,
    source: 'adjust',
    reason: input.reason,
    created_at: input.now,
  };
  let entryId: string;
  if (input.points < 0) {
    if (balance + input.points < 0)
      throw unprocessable(
        'insufficient_points',
        `the customer has ${balance} points; taking ${-input.points} would make the balance negative`,
        'points',
        { balance },
      );
    entryId = (await debit(tx, person, -input.points, base)).entryId!;
  } else {
    const rules = await loyaltyRules(tx);
    entryId = await credit(tx, {
      ...base,
      points: input.points,
      expires_at: expiryOf(input.now, rules.expiry_months, currentTimezone()),
    });
  }
  await audit(tx, actor, {
    action: 'points.adjust',
    subject: person.root,
    reason: input.reason,
    details: { entry_id: entryId, points: input.points, balance_before: balance },
  });
  return { customer_id: person.root, entry_id: entryId, points: input.points, balance: balance + input.points };
}

/** 429 when the person has earned the act as often today (retailer time) as the rules allow. */
async function checkDailyLimit(tx: Tx, person: Person, act: string, rules: LoyaltyRules, now: Date): Promise<void> {
  const limit = rules.act_daily_limits[act] ?? 1;
  const tz = currentTimezone();
  const { count } = await tx
    .selectFrom('points_entries')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('customer_id', 'in', person.members)
    .where('kind', '=', 'earn')
    .where('source', '=', `act:${act}`)
    .where('created_at', '>=', sql<Date>`date_trunc('day', ${now}::timestamptz AT TIME ZONE ${tz}) AT TIME ZONE ${tz}`)
    .executeTakeFirstOrThrow();
  if (Number(count) >= limit)
    throw new AppError(
      429,
      'act_daily_limit',
      `act ${act} earns points at most ${limit} time(s) a day per customer`,
      'act',
      { limit },
    );
}

/**
 * Points for an act that is not a purchase (returning packaging, a review, ...): the points the
 * rules give the act (at most act_daily_limits times a day per person), or a number given by an
 * admin (the route refuses numbers from others). Once per act and ref (a review earns once).
 */
export async function earnForAct(
  tx: Tx,
  actor: Principal | null,
  input: { customer_id: string; act?: string; points?: number; reason: string; ref: string; now: Date },
): Promise<{ customer_id: string; entry_id: string; points: number; balance: number; replayed: boolean }> {
  const rules = await loyaltyRules(tx);
  let points: number;
  if (input.act !== undefined) {
    const configured = rules.acts[input.act];
    if (configured === undefined)
      throw unprocessable(
        'unknown_act',
        `act ${input.act} earns nothing under the rules; known acts: ${Object.keys(rules.acts).join(', ') || 'none'}`,
        'act',
      );
    points = input.points ?? configured;
  } else if (input.points !== undefined) points = input.points;
  else throw unprocessable('points_or_act_required', 'give points or an act', 'points');
  const person = await lockedPerson(tx, input.customer_id);
  const key = `act:${input.act ?? 'manual'}:${input.ref}`;
  const existing = await entryByKey(tx, key);
  if (existing)
    return {
      customer_id: person.root,
      entry_id: existing.id,
      points: existing.points,
      balance: await balanceOf(tx, person.members),
      replayed: true,
    };
  if (input.act !== undefined) await checkDailyLimit(tx, person, input.act, rules, input.now);
  const entryId = await credit(tx, {
    customer_id: person.root,
    kind: 'earn',
    points,
    source: `act:${input.act ?? 'manual'}`,
    event_ref: input.ref,
    reason: input.reason,
    idempotency_key: key,
    created_at: input.now,
    expires_at: expiryOf(input.now, rules.expiry_months, currentTimezone()),
  });
  await audit(tx, actor, {
    action: 'points.earn',
    subject: person.root,
    reason: input.reason,
    details: { entry_id: entryId, points, act: input.act ?? null, ref: input.ref },
  });
  return {
    customer_id: person.root,
    entry_id: entryId,
    points,
    balance: await balanceOf(tx, person.members),
    replayed: false,
  };
}
