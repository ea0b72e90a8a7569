import { CHANNELS } from '../../../platform/auth/roles';
import type { Queryable } from '../../../platform/db/database';
import { unprocessable } from '../../../platform/http/errors';
import { getSetting, putSetting } from '../../../platform/settings';

export const RULES_KEY = 'loyalty.rules';

/** Rewards of a referral: given to both when the referee's first order is paid. */
export interface ReferralReward {
  referrer_points: number;
  referee_points: number;
  referrer_coupon_template_id: string | null;
  referee_coupon_template_id: string | null;
}

export interface LoyaltyRules {
  /** Points that make 1 CNY at checkout (default 100). */
  points_per_yuan_redeem: number;
  /** Points pay at most this percent of the goods after coupons (default 50). */
  redeem_cap_percent: number;
  /** Earned points expire at the end of the n-th month after the month they were earned in (default 12). */
  expiry_months: number;
  /** Points per CNY of cash paid for goods (default 1). */
  earn_per_yuan: number;
  /** Earning multiplier per channel; a channel not listed earns × 1. */
  channel_multipliers: Record<string, number>;
  /** Earning multiplier per product category; a category not listed earns × 1. */
  category_multipliers: Record<string, number>;
  /** Points for acts that are not purchases (returning packaging, a review, ...), by act name. */
  acts: Record<string, number>;
  /** How often a customer earns an act per day (retailer time); an act not listed earns once a day. */
  act_daily_limits: Record<string, number>;
  referral: ReferralReward;
}

export const DEFAULT_RULES: LoyaltyRules = {
  points_per_yuan_redeem: 100,
  redeem_cap_percent: 50,
  expiry_months: 12,
  earn_per_yuan: 1,
  channel_multipliers: {},
  category_multipliers: {},
  acts: { packaging_return: 20, review: 10 },
  act_daily_limits: { packaging_return: 5, review: 3 },
  referral: {
    referrer_points: 500,
    referee_points: 200,
    referrer_coupon_template_id: null,
    referee_coupon_template_id: null,
  },
};

/** The loyalty rules in force: settings 'loyalty.rules' over the defaults. */
export async function loyaltyRules(db: Queryable): Promise<LoyaltyRules> {
  const stored = (await getSetting<Partial<LoyaltyRules>>(db, RULES_KEY)) ?? {};
  return { ...DEFAULT_RULES, ...stored, referral: { ...DEFAULT_RULES.referral, ...(stored.referral ?? {}) } };
}

const ACT = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Checks rules beyond what the route schema says (names of channels, ranges that depend on each
 * other); a problem is a 422 naming the field.
 */
export function checkRules(r: LoyaltyRules): void {
  for (const ch of Object.keys(r.channel_multipliers)) {
    if (!(CHANNELS as readonly string[]).includes(ch))
      throw unprocessable(
        'invalid_rules',
        `unknown channel ${ch}; channels are ${CHANNELS.join(', ')}`,
        `channel_multipliers.${ch}`,
      );
  }
  for (const [k, v] of Object.entries(r.channel_multipliers))
    if (!(v >= 0 && v <= 100))
      throw unprocessable('invalid_rules', 'a multiplier is between 0 and 100', `channel_multipliers.${k}`);
  for (const [k, v] of Object.entries(r.category_multipliers))
    if (!(v >= 0 && v <= 100))
      throw unprocessable('invalid_rules', 'a multiplier is between 0 and 100', `category_multipliers.${k}`);
  for (const [k, v] of Object.entries(r.acts)) {
    if (!ACT.test(k)) throw unprocessable('invalid_rules', 'an act name matches [a-z][a-z0-9_]{0,63}', `acts.${k}`);
    if (!Number.isInteger(v) || v < 1 || v > 1_000_000)
      throw unprocessable('invalid_rules', 'an act earns a whole number of points from 1 to 1,000,000', `acts.${k}`);
  }
  for (const [k, v] of Object.entries(r.act_daily_limits)) {
    if (!ACT.test(k))
      throw unprocessable('invalid_rules', 'an act name matches [a-z][a-z0-9_]{0,63}', `act_daily_limits.${k}`);
    if (!Number.isInteger(v) || v < 1 || v > 1000)
      throw unprocessable('invalid_rules', 'an act is earned 1 to 1,000 times a day', `act_daily_limits.${k}`);
  }
}

/** Stores new rules: the fields given replace the current ones; returns the rules in force. */
export async function updateRules(db: Queryable, patch: Partial<LoyaltyRules>): Promise<LoyaltyRules> {
  const current = await loyaltyRules(db);
  const next: LoyaltyRules = { ...current, ...patch, referral: { ...current.referral, ...(patch.referral ?? {}) } };
  checkRules(next);
  await putSetting(db, RULES_KEY, next);
  return next;
}
