import type { ChannelCode } from './api';
import { allOf, type Answer, type RequestBody } from './contract';
import { formatFen, formatInt } from './format';
import type { Lang, Translate } from './i18n';

/** Shapes of the loyalty API's answers (src/modules/loyalty), from the API contract (./contract). */

export type CouponTemplate = Answer<'/v1/coupon-templates'>['items'][number];
export type CouponKind = RequestBody<'/v1/coupon-templates', 'post'>['kind'];
export const COUPON_KINDS = allOf<CouponKind>()(['amount_off', 'percent_off', 'threshold', 'free_delivery', 'gift']);

type ChannelScope = RequestBody<'/v1/coupon-templates', 'post'>['channels'][number];
/** Channel groups a template may name besides single channels: online = every channel but pos; store = pos. */
export const CHANNEL_GROUPS = {
  online: ['app', 'mini_program', 'web', 'group_buy'],
  store: ['pos'],
} as const satisfies Record<Exclude<ChannelScope, ChannelCode>, readonly ChannelCode[]>;

/** POST /v1/coupons/issue */
export type IssuedCoupon = Answer<'/v1/coupons/issue', 'post'>;
/** One coupon (GET /v1/coupons/:code, GET /v1/coupons?customer_id=). */
export type Coupon = Answer<'/v1/coupons/{code}'>;

/** GET /v1/customers/:id/wallet?channel=&location_id= */
export type Wallet = Answer<'/v1/customers/{id}/wallet'>;
/** A coupon of the wallet: usable now in the asked channel and store, best first. */
export type WalletCoupon = Wallet['coupons'][number];

/** GET /v1/customers/:id/points */
export type PointsView = Answer<'/v1/customers/{id}/points'>;
export type PointsEntry = PointsView['history']['items'][number];

export type TierRule = Answer<'/v1/loyalty/tiers'>['tiers'][number];

/** A tier's name in the console's language (its display_name), else its `name`. */
export function tierName(tier: { name: string; display_name?: Partial<Record<Lang, string>> }, lang: Lang): string {
  return tier.display_name?.[lang]?.trim() || tier.name;
}
export type LoyaltyRules = Answer<'/v1/loyalty/rules'>;

/** POST /v1/quote, and what an order keeps of it. */
export type Quote = Answer<'/v1/quote', 'post'>;
export type QuoteCoupon = Quote['coupons'][number];
/** One step of the price: a coupon, points, the delivery fee, a paused promotion. */
export type Adjustment = Quote['adjustments'][number];

// ---- Helpers ----

/** What a coupon gives, in words: ¥10 off; 15% off (at most ¥20); ¥20 off ¥100; free delivery; a gift. */
export function couponValueText(
  t: Translate,
  c: { kind: string; value: number; cap?: number | null; min_spend?: number; gift_sku?: string | null },
): string {
  const min = c.min_spend ?? 0;
  let text: string;
  switch (c.kind) {
    case 'amount_off':
      text = t('loyalty.value.amount_off', { amount: formatFen(c.value) });
      break;
    case 'percent_off':
      text = t('loyalty.value.percent_off', { percent: formatInt(c.value) });
      if (c.cap) text += t('loyalty.value.cap', { cap: formatFen(c.cap) });
      break;
    case 'threshold':
      return t('loyalty.value.threshold', { min: formatFen(min), amount: formatFen(c.value) });
    case 'free_delivery':
      text = t('loyalty.value.free_delivery');
      break;
    case 'gift':
      text = c.gift_sku ? t('loyalty.value.gift_sku', { sku: c.gift_sku }) : t('loyalty.value.gift');
      break;
    default:
      text = c.kind;
  }
  return min > 0 ? text + t('loyalty.value.min', { min: formatFen(min) }) : text;
}

/** A random Idempotency-Key for one write (kept across retries of the same write). */
export function newIdempotencyKey(prefix: string): string {
  const rnd =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${rnd}`;
}
