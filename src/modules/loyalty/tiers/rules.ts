import type { Queryable } from '../../../platform/db/database';
import { unprocessable } from '../../../platform/http/errors';
import { getSetting, putSetting } from '../../../platform/settings';

export const TIERS_KEY = 'loyalty.tiers';

export interface TierRule {
  code: string;
  name: string;
  /** The name per console language ('zh-CN', 'en'); `name` when a language has none. */
  display_name?: { 'zh-CN'?: string; en?: string };
  /** Spend (fen, paid minus refunded) over the rolling 12 months that reaches this tier. */
  min_spend: number;
  /** Multiplies the points earned on orders. */
  multiplier: number;
  /** Coupon templates issued once on reaching the tier. */
  coupon_template_ids: string[];
}

export interface TierRules {
  tiers: TierRule[];
}

export const DEFAULT_TIERS: TierRules = {
  tiers: [
    {
      code: 'member',
      name: 'Member',
      display_name: { 'zh-CN': '普通会员', en: 'Member' },
      min_spend: 0,
      multiplier: 1,
      coupon_template_ids: [],
    },
    {
      code: 'silver',
      name: 'Silver',
      display_name: { 'zh-CN': '银卡会员', en: 'Silver' },
      min_spend: 200_000,
      multiplier: 1.25,
      coupon_template_ids: [],
    },
    {
      code: 'gold',
      name: 'Gold',
      display_name: { 'zh-CN': '金卡会员', en: 'Gold' },
      min_spend: 800_000,
      multiplier: 1.5,
      coupon_template_ids: [],
    },
  ],
};

/** Tier rules in force (settings 'loyalty.tiers' or the defaults), lowest tier first. */
export async function tierRules(db: Queryable): Promise<TierRules> {
  const stored = await getSetting<TierRules>(db, TIERS_KEY);
  return stored && Array.isArray(stored.tiers) && stored.tiers.length > 0 ? stored : DEFAULT_TIERS;
}

/** Validates beyond the schema: a first tier from 0, thresholds rising, codes unique; 422 naming the field. */
export function checkTiers(r: TierRules): void {
  if (r.tiers.length === 0) throw unprocessable('invalid_tiers', 'give at least one tier', 'tiers');
  if (r.tiers[0].min_spend !== 0)
    throw unprocessable(
      'invalid_tiers',
      'the first tier starts at min_spend 0 (every member has a tier)',
      'tiers[0].min_spend',
    );
  const codes = new Set<string>();
  r.tiers.forEach((t, i) => {
    if (codes.has(t.code))
      throw unprocessable('invalid_tiers', `tier code ${t.code} is given twice`, `tiers[${i}].code`);
    codes.add(t.code);
    if (i > 0 && t.min_spend <= r.tiers[i - 1].min_spend)
      throw unprocessable(
        'invalid_tiers',
        'each tier needs a higher min_spend than the one before',
        `tiers[${i}].min_spend`,
      );
    if (new Set(t.coupon_template_ids).size !== t.coupon_template_ids.length)
      throw unprocessable('invalid_tiers', 'a coupon template is listed twice', `tiers[${i}].coupon_template_ids`);
  });
}

export async function updateTiers(db: Queryable, r: TierRules): Promise<TierRules> {
  checkTiers(r);
  await putSetting(db, TIERS_KEY, r);
  return r;
}

/** The highest tier a spend reaches (index into rules.tiers). */
export function qualifiedRank(rules: TierRules, spend: number): number {
  let rank = 0;
  rules.tiers.forEach((t, i) => {
    if (spend >= t.min_spend) rank = i;
  });
  return rank;
}

export function rankOf(rules: TierRules, code: string | null | undefined): number {
  return code ? rules.tiers.findIndex((t) => t.code === code) : -1;
}
