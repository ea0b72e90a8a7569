import type { Channel } from '../../platform/auth/roles';
import type { Queryable } from '../../platform/db/database';
import { groupIds } from '../customers/public';
import { usableCoupons, type CheckoutCoupon } from './coupons/service';
import { loyaltyRules, pointsBalance } from './points/service';
import { tierOf } from './tiers/service';

export type WalletCoupon = CheckoutCoupon & { valid_to: string | null };

export interface Wallet {
  customer_id: string;
  channel: Channel | null;
  location_id: string | null;
  tier: Awaited<ReturnType<typeof tierOf>>;
  points: { balance: number; value: number; per_yuan: number; cap_percent: number };
  coupons: WalletCoupon[];
}

/** The coupons a person (root id) can use now in this channel and store, best first: the wallet's list. */
export async function usableCouponsOf(
  db: Queryable,
  root: string,
  channel: Channel | null,
  locationId: string | null,
  now = new Date(),
): Promise<WalletCoupon[]> {
  return usableCoupons(db, await groupIds(db, root), channel, locationId, now);
}

/** What the till shows after a member lookup: points, tier, and the coupons usable here and now, best first. */
export async function readWallet(
  db: Queryable,
  root: string,
  channel: Channel | null,
  locationId: string | null,
  now = new Date(),
): Promise<Wallet> {
  const members = await groupIds(db, root);
  const [tier, balance, rules, coupons] = await Promise.all([
    tierOf(db, members),
    pointsBalance(db, members),
    loyaltyRules(db),
    usableCoupons(db, members, channel, locationId, now),
  ]);
  return {
    customer_id: root,
    channel,
    location_id: locationId,
    tier,
    points: {
      balance,
      value: Math.floor((balance * 100) / rules.points_per_yuan_redeem),
      per_yuan: rules.points_per_yuan_redeem,
      cap_percent: rules.redeem_cap_percent,
    },
    coupons,
  };
}
