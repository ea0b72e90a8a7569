import './tables';
import type { Static } from '@sinclair/typebox';
import type { Queryable, Tx } from '../../../platform/db/database';
import { publish } from '../../../platform/events/outbox';
import type { Person } from '../points/ledger';
import { grantCoupon, type GrantResult } from '../points/grant-coupon';
import { qualifiedRank, rankOf, tierRules, type TierRules } from './rules';
import type { TierViewSchema } from './schemas';
import { spend12m } from './spend';

export type TierView = Static<typeof TierViewSchema>;

/** The highest tier stored for any id of the group (-1: none stored). */
async function storedRank(db: Queryable, rules: TierRules, members: string[]): Promise<number> {
  const rows = await db.selectFrom('customer_tiers').select('tier').where('customer_id', 'in', members).execute();
  return rows.reduce((best, r) => Math.max(best, rankOf(rules, r.tier)), -1);
}

function view(rules: TierRules, rank: number, spend: number): TierView {
  const t = rules.tiers[rank];
  const out: TierView = {
    code: t.code,
    name: t.name,
    ...(t.display_name ? { display_name: t.display_name } : {}),
    multiplier: t.multiplier,
    spend_12m: spend,
  };
  const n = rules.tiers[rank + 1];
  if (n)
    out.next = {
      code: n.code,
      name: n.name,
      ...(n.display_name ? { display_name: n.display_name } : {}),
      min_spend: n.min_spend,
    };
  return out;
}

/**
 * The person's tier: the one held (upgrades happen at once on an order, downgrades only by the
 * daily job), or the one their 12-month spend reaches when that is higher.
 */
export async function tierOf(db: Queryable, members: string[], now: Date = new Date()): Promise<TierView> {
  const rules = await tierRules(db);
  const [spend, held] = await Promise.all([spend12m(db, members, now), storedRank(db, rules, members)]);
  return view(rules, Math.max(held, qualifiedRank(rules, spend)), spend);
}

/** Stores the person's tier on their root (dropping rows of merged-away ids) and tells the world. */
export async function setTier(
  tx: Tx,
  person: Person,
  rules: TierRules,
  from: number,
  to: number,
  spend: number,
  now: Date,
  reason: 'spend' | 'evaluation',
): Promise<GrantResult[]> {
  const code = rules.tiers[to].code;
  const others = person.members.filter((m) => m !== person.root);
  if (others.length) await tx.deleteFrom('customer_tiers').where('customer_id', 'in', others).execute();
  await tx
    .insertInto('customer_tiers')
    .values({ customer_id: person.root, tier: code, since: now })
    .onConflict((oc) => oc.column('customer_id').doUpdateSet({ tier: code, since: now, updated_at: now }))
    .execute();
  const coupons: GrantResult[] = [];
  // Coupons of every tier newly reached (member → gold also grants silver's).
  for (let r = Math.max(from, 0) + 1; r <= to; r++) {
    for (const template_id of rules.tiers[r].coupon_template_ids)
      coupons.push(await grantCoupon(tx, { template_id, customer_id: person.root, via: 'tier', now }));
  }
  await publish(tx, {
    aggregateType: 'customer',
    aggregateId: person.root,
    type: 'tier.changed',
    payload: {
      customer_id: person.root,
      from: from >= 0 ? rules.tiers[from].code : null,
      to: code,
      direction: to > from ? 'up' : 'down',
      spend_12m: spend,
      reason,
      coupons,
    },
  });
  return coupons;
}

/** After an order's spend is recorded (person locked): moves the person up at once when the spend reaches a higher tier. */
export async function upgradeOnSpend(tx: Tx, person: Person, now: Date): Promise<void> {
  const rules = await tierRules(tx);
  const [spend, held] = await Promise.all([spend12m(tx, person.members, now), storedRank(tx, rules, person.members)]);
  const target = qualifiedRank(rules, spend);
  const current = Math.max(held, 0);
  if (target > current) await setTier(tx, person, rules, held < 0 ? 0 : held, target, spend, now, 'spend');
}

export { storedRank };
