import './tables';
import type { Channel } from '../../../platform/auth/roles';
import type { Queryable, Tx } from '../../../platform/db/database';
import { unprocessable } from '../../../platform/http/errors';
import { orderLineAmounts } from '../../orders/public';
import { rewardReferral } from '../referrals/service';
import { tierOf, upgradeOnSpend } from '../tiers/service';
import { hasSpend, orderSpend, recordSpend } from '../tiers/spend';
import { currentTimezone, expiryOf } from './expiry-date';
import { balanceOf, credit, debit, entryByKey, expireDueFor, giveBack, lockedPerson, type Person } from './ledger';
import { loyaltyRules } from './rules';

export { loyaltyRules } from './rules';

/** The person's points: the sum of the entries of every id of the group (never negative). */
export async function pointsBalance(db: Queryable, members: string[]): Promise<number> {
  return balanceOf(db, members);
}

function insufficient(balance: number, wanted: number, field = 'points') {
  return unprocessable('insufficient_points', `the customer has ${balance} points, ${wanted} needed`, field, {
    balance,
  });
}

/**
 * Spends points at checkout, first-expiring first (due buckets are expired first). Locks the
 * person. 422 insufficient_points (field 'points') when the balance is short. Once per order.
 */
export async function redeemPoints(
  tx: Tx,
  input: { customer_id: string; points: number; order_ref: string; now: Date },
): Promise<void> {
  if (input.points <= 0) return;
  const person = await lockedPerson(tx, input.customer_id);
  const key = `order:${input.order_ref}:redeem`;
  if (await entryByKey(tx, key)) return;
  await expireDueFor(tx, person, input.now);
  const balance = await balanceOf(tx, person.members);
  if (balance < input.points) throw insufficient(balance, input.points);
  await debit(tx, person, input.points, {
    customer_id: person.root,
    kind: 'redeem',
    source: 'order',
    order_ref: input.order_ref,
    idempotency_key: key,
    created_at: input.now,
  });
}

export interface EarnLine {
  line_no: number;
  sku: string;
  category: string;
  qty: number;
  /** Cash paid for the line, fen. */
  amount: number;
}

/** floor(amount/100 × rate × multipliers), robust to binary fractions (1.25 × 1290 fen → 16). */
function linePoints(amount: number, factor: number): number {
  return Math.max(0, Math.floor((amount * factor) / 100 + 1e-9));
}

/**
 * Earns for a paid order: per line floor(amount_fen/100 × earn_per_yuan × channel × category ×
 * tier multiplier), recorded per line for returns. Idempotent per order_ref. Also records the
 * order's total in the tier spend ledger (and moves the person up at once), and rewards a referral
 * when this is the referee's first paid order.
 */
export async function earnForOrder(
  tx: Tx,
  input: {
    customer_id: string;
    order_ref: string;
    channel: Channel;
    lines: EarnLine[];
    total: number;
    now: Date;
    timezone?: string;
  },
): Promise<{ earned: number }> {
  const person = await lockedPerson(tx, input.customer_id);
  if (await hasSpend(tx, input.order_ref, 'order')) return { earned: await earnedOn(tx, input.order_ref) };
  const rules = await loyaltyRules(tx);
  const tier = await tierOf(tx, person.members, input.now);
  const base = rules.earn_per_yuan * (rules.channel_multipliers[input.channel] ?? 1) * tier.multiplier;
  const lines = input.lines.map((l) => ({
    order_ref: input.order_ref,
    line_no: l.line_no,
    qty: l.qty,
    earned: linePoints(l.amount, base * (rules.category_multipliers[l.category] ?? 1)),
  }));
  if (lines.length)
    await tx
      .insertInto('points_order_lines')
      .values(lines)
      .onConflict((oc) => oc.doNothing())
      .execute();
  const earned = lines.reduce((t, l) => t + l.earned, 0);
  if (earned > 0) {
    await credit(tx, {
      customer_id: person.root,
      kind: 'earn',
      points: earned,
      source: 'order',
      order_ref: input.order_ref,
      idempotency_key: `order:${input.order_ref}:earn`,
      created_at: input.now,
      expires_at: expiryOf(input.now, rules.expiry_months, input.timezone ?? currentTimezone()),
    });
  }
  await recordSpend(tx, {
    customer_id: person.root,
    order_ref: input.order_ref,
    ref: 'order',
    amount: input.total,
    at: input.now,
  });
  await upgradeOnSpend(tx, person, input.now);
  await rewardReferral(tx, person, input.order_ref, input.now);
  return { earned };
}

async function earnedOn(db: Queryable, orderRef: string): Promise<number> {
  const r = await db
    .selectFrom('points_entries')
    .select('points')
    .where('order_ref', '=', orderRef)
    .where('kind', '=', 'earn')
    .where('source', '=', 'order')
    .executeTakeFirst();
  return r ? Number(r.points) : 0;
}

/** What has happened to an order's points so far. */
interface OrderPoints {
  owner: string | null;
  earned: number;
  earnBucket: string | null;
  /** Earned points already reversed (taken back plus recorded as unrecovered). */
  reversed: number;
  redeemed: number;
  restored: number;
  /** Entries that took or gave back the order's redeemed points. */
  redeemEntries: string[];
}

async function orderPoints(tx: Tx, orderRef: string): Promise<OrderPoints> {
  const rows = await tx
    .selectFrom('points_entries')
    .select(['id', 'customer_id', 'kind', 'points', 'unrecovered', 'reverses', 'source'])
    .where('order_ref', '=', orderRef)
    .orderBy('id')
    .execute();
  const out: OrderPoints = {
    owner: null,
    earned: 0,
    earnBucket: null,
    reversed: 0,
    redeemed: 0,
    restored: 0,
    redeemEntries: [],
  };
  for (const r of rows) {
    const p = Number(r.points);
    if (r.kind === 'earn' && r.source === 'order') {
      out.earned += p;
      out.earnBucket = r.id;
      out.owner ??= r.customer_id;
    } else if (r.kind === 'redeem') {
      out.redeemed += -p;
      out.redeemEntries.push(r.id);
      out.owner ??= r.customer_id;
    } else if (r.reverses === 'earn') out.reversed += -p + Number(r.unrecovered);
    else if (r.reverses === 'redeem') {
      out.restored += p;
      out.redeemEntries.push(r.id);
    }
  }
  return out;
}

interface Reversal {
  order_ref: string;
  /** 'return' or 'cancel'. */
  source: string;
  /** The return's ref, or the order's for a cancel: makes the reversal idempotent. */
  ref: string;
  reverse: number;
  restore: number;
  /** Spend to take off the order's tier spend (capped at what it still counts for). */
  spend: number;
  now: Date;
}

/**
 * The one way points go back. Gives the redeemed points back first (to the buckets they came
 * from), then takes the earned points back: from the order's own bucket, then first-expiring
 * first from the rest of the balance. RULE: a reversal never drives the balance negative. When
 * earned points were already spent, it takes what is there and records the remainder as the
 * entry's `unrecovered` (shown in the history); that remainder is not pursued later.
 */
async function reverse(tx: Tx, r: Reversal): Promise<{ reversed: number; restored: number; unrecovered: number }> {
  const spend = await orderSpend(tx, r.order_ref);
  const owner = spend?.customer_id ?? (await orderPoints(tx, r.order_ref)).owner;
  if (!owner) return { reversed: 0, restored: 0, unrecovered: 0 }; // no points ever moved for this order
  const person: Person = await lockedPerson(tx, owner);
  const keyEarn = `${r.source}:${r.ref}:earn`;
  const keyRedeem = `${r.source}:${r.ref}:redeem`;
  const marker = `${r.source}:${r.ref}`;
  if (await hasSpend(tx, r.order_ref, marker)) {
    const [e, g] = await Promise.all([entryByKey(tx, keyEarn), entryByKey(tx, keyRedeem)]);
    return { reversed: e ? Math.abs(e.points) : 0, restored: g ? g.points : 0, unrecovered: e ? e.unrecovered : 0 };
  }
  const state = await orderPoints(tx, r.order_ref); // re-read under the lock
  const restore = Math.min(r.restore, state.redeemed - state.restored);
  const want = Math.min(r.reverse, state.earned - state.reversed);
  const base = {
    customer_id: person.root,
    kind: 'reverse' as const,
    source: r.source,
    order_ref: r.order_ref,
    event_ref: r.ref,
    created_at: r.now,
  };
  const restored = await giveBack(tx, state.redeemEntries, restore, {
    ...base,
    reverses: 'redeem',
    idempotency_key: keyRedeem,
  });
  await expireDueFor(tx, person, r.now); // points given back to a bucket that has expired meanwhile expire again
  const { taken } = await debit(
    tx,
    person,
    want,
    { ...base, reverses: 'earn', idempotency_key: keyEarn },
    { prefer: state.earnBucket, partial: true },
  );
  await recordSpend(tx, {
    customer_id: person.root,
    order_ref: r.order_ref,
    ref: marker,
    amount: -Math.max(0, Math.min(r.spend, spend?.left ?? 0)),
    at: spend?.at ?? r.now,
  });
  return { reversed: taken, restored, unrecovered: Math.max(0, want) - taken };
}

/** floor((x·(r+k))/q) − floor((x·r)/q): what k more returned units of q carry of x, exact over all returns. */
export function share(x: number, q: number, r: number, k: number): number {
  if (q <= 0 || x <= 0) return 0;
  return Math.floor((x * (r + k)) / q) - Math.floor((x * r) / q);
}

/**
 * A return of units of lines: reverses earned points and gives back redeemed points
 * proportionally (exact: fully returned lines reverse exactly what they earned and used), and
 * takes the refund off the tier spend. Idempotent per return_ref.
 */
export async function reverseForReturn(
  tx: Tx,
  input: {
    order_ref: string;
    return_ref: string;
    lines: { line_no: number; qty: number; already_returned: number; returning: number; points_used: number }[];
    refund: number;
    now: Date;
  },
): Promise<{ reversed: number; restored: number; unrecovered: number }> {
  let stored: { line_no: number; qty: number; earned: number }[] = (
    await tx
      .selectFrom('points_order_lines')
      .select(['line_no', 'qty', 'earned'])
      .where('order_ref', '=', input.order_ref)
      .execute()
  ).map((l) => ({ ...l, earned: Number(l.earned) }));
  if (stored.length === 0) stored = await earnedByAmount(tx, input.order_ref);
  const byLine = new Map(stored.map((s) => [s.line_no, s]));
  let rev = 0;
  let restore = 0;
  for (const l of input.lines) {
    const s = byLine.get(l.line_no);
    const q = s?.qty ?? l.qty;
    if (s) rev += share(s.earned, q, l.already_returned, l.returning);
    restore += share(l.points_used, q, l.already_returned, l.returning);
  }
  return reverse(tx, {
    order_ref: input.order_ref,
    source: 'return',
    ref: input.return_ref,
    reverse: rev,
    restore,
    spend: input.refund,
    now: input.now,
  });
}

/**
 * An order whose earned points were not recorded per line (imported history, the demo): its earn
 * entry spread over the order's lines in proportion to their amounts, largest remainder first.
 */
async function earnedByAmount(tx: Tx, orderRef: string): Promise<{ line_no: number; qty: number; earned: number }[]> {
  const earned = await earnedOn(tx, orderRef);
  if (earned === 0) return [];
  const lines = await orderLineAmounts(tx, orderRef);
  const total = lines.reduce((t, l) => t + l.amount, 0);
  if (total === 0) return [];
  const parts = lines.map((l) => ({ line_no: l.line_no, qty: l.qty, exact: (earned * l.amount) / total }));
  const out = parts.map((p) => ({ line_no: p.line_no, qty: p.qty, earned: Math.floor(p.exact) }));
  let left = earned - out.reduce((t, o) => t + o.earned, 0);
  const order = parts.map((p, i) => ({ i, r: p.exact - Math.floor(p.exact) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const o of order) {
    if (left <= 0) break;
    out[o.i].earned++;
    left--;
  }
  return out;
}

/** Order cancelled or expired, before or after payment: gives back every redeemed point and reverses whatever was earned. */
export async function reverseForCancel(
  tx: Tx,
  input: { order_ref: string; now: Date },
): Promise<{ reversed: number; restored: number; unrecovered: number }> {
  return reverse(tx, {
    order_ref: input.order_ref,
    source: 'cancel',
    ref: input.order_ref,
    reverse: Number.MAX_SAFE_INTEGER,
    restore: Number.MAX_SAFE_INTEGER,
    spend: Number.MAX_SAFE_INTEGER,
    now: input.now,
  });
}
