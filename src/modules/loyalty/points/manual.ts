import type { Principal } from '../../../platform/auth/roles';
import { audit } from '../../../platform/audit/audit';
import type { Tx } from '../../../platform/db/database';
import { unprocessable } from '../../../platform/http/errors';
import { currentTimezone, expiryOf } from './expiry-date';
import { balanceOf, credit, debit, entryByKey, expireDueFor, lockedPerson } from './ledger';
import { loyaltyRules } from './rules';

/**
 * A manual adjustment by staff (admin, support), with a reason, audited in the same transaction.
 * Positive: a new bucket expiring like earned points. Negative: taken first-expiring first;
 * 422 insufficient_points (field 'points') if it would take the balance below zero.
 */
export async function adjustPoints(tx: Tx, actor: Principal | null, input: { customer_id: string; points: number; reason: string; now: Date }): Promise<{ customer_id: string; entry_id: string; points: number; balance: number }> {
  const person = await lockedPerson(tx, input.customer_id);
  await expireDueFor(tx, person, input.now);
  const balance = await balanceOf(tx, person.members);
  const base = { customer_id: person.root, kind: 'adjust' as const, source: 'adjust', reason: input.reason, created_at: input.now };
  let entryId: string;
  if (input.points < 0) {
    if (balance + input.points < 0) throw unprocessable('insufficient_points', `the customer has ${balance} points; taking ${-input.points} would make the balance negative`, 'points', { balance });
    entryId = (await debit(tx, person, -input.points, base)).entryId!;
  } else {
    const rules = await loyaltyRules(tx);
    entryId = await credit(tx, { ...base, points: input.points, expires_at: expiryOf(input.now, rules.expiry_months, currentTimezone()) });
  }
  await audit(tx, actor, { action: 'points.adjust', subject: person.root, reason: input.reason, details: { entry_id: entryId, points: input.points, balance_before: balance } });
  return { customer_id: person.root, entry_id: entryId, points: input.points, balance: balance + input.points };
}

/**
 * Points for an act that is not a purchase (returning packaging, a review, ...): the points the
 * rules give the act, or a number given by the caller. Once per act and ref (a review earns once).
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
    if (configured === undefined) throw unprocessable('unknown_act', `act ${input.act} earns nothing under the rules; known acts: ${Object.keys(rules.acts).join(', ') || 'none'}`, 'act');
    points = input.points ?? configured;
  } else if (input.points !== undefined) points = input.points;
  else throw unprocessable('points_or_act_required', 'give points or an act', 'points');
  const person = await lockedPerson(tx, input.customer_id);
  const key = `act:${input.act ?? 'manual'}:${input.ref}`;
  const existing = await entryByKey(tx, key);
  if (existing) return { customer_id: person.root, entry_id: existing.id, points: existing.points, balance: await balanceOf(tx, person.members), replayed: true };
  const entryId = await credit(tx, {
    customer_id: person.root, kind: 'earn', points, source: `act:${input.act ?? 'manual'}`, event_ref: input.ref, reason: input.reason, idempotency_key: key,
    created_at: input.now, expires_at: expiryOf(input.now, rules.expiry_months, currentTimezone()),
  });
  await audit(tx, actor, { action: 'points.earn', subject: person.root, reason: input.reason, details: { entry_id: entryId, points, act: input.act ?? null, ref: input.ref } });
  return { customer_id: person.root, entry_id: entryId, points, balance: await balanceOf(tx, person.members), replayed: false };
}
