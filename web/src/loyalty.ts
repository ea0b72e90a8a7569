import type { ChannelCode } from './api';
import { formatFen, formatInt } from './format';
import type { Translate } from './i18n';

/** Shapes of the loyalty API's answers (src/modules/loyalty): coupons, points, tiers, wallet and the quote. */

export const COUPON_KINDS = ['amount_off', 'percent_off', 'threshold', 'free_delivery', 'gift'] as const;
export type CouponKind = (typeof COUPON_KINDS)[number];

/** Channel groups a template may name besides single channels: online = every channel but pos; store = pos. */
export const CHANNEL_GROUPS = { online: ['app', 'mini_program', 'web', 'group_buy'], store: ['pos'] } as const satisfies Record<string, readonly ChannelCode[]>;

export interface CouponTemplate {
  id: string;
  name: string;
  description: string | null;
  kind: CouponKind;
  /** amount_off/threshold: fen off; percent_off: percent; gift/free_delivery: 0. */
  value: number;
  cap: number | null;
  min_spend: number;
  gift_sku: string | null;
  /** Single channels (groups are expanded when stored). */
  channels: string[];
  skus: string[] | null;
  categories: string[] | null;
  locations: string[] | null;
  valid_from: string | null;
  valid_to: string | null;
  valid_days_after_claim: number | null;
  budget: number | null;
  per_customer_limit: number | null;
  stackable: boolean;
  restore_on_cancel: boolean;
  status: string;
  /** Coupons issued so far (budget used). */
  issued: number;
  redeemed: number;
  /** Redemptions by channel, e.g. {pos: 3, app: 1}. */
  redemptions_by_channel: Record<string, number>;
  /** Fen given by redemptions that stand (not restored). */
  discount_total: number;
  created_at: string;
}

/** POST /v1/coupons/issue */
export interface IssuedCoupon {
  code: string;
  /** The code as printed, in groups. */
  display: string;
  template_id: string;
  customer_id: string;
  valid_from: string;
  valid_to: string | null;
}

/** One coupon (GET /v1/coupons/:code, GET /v1/coupons?customer_id=). */
export interface Coupon {
  code: string;
  display: string;
  status: string;
  customer_id: string;
  via: string;
  issued_at: string;
  valid_from: string;
  valid_to: string | null;
  template: { id: string; name: string; kind: CouponKind; value: number; cap: number | null; min_spend: number; gift_sku: string | null; channels: string[]; locations: string[] | null; skus: string[] | null; categories: string[] | null; stackable: boolean };
  redemption: { order_ref: string; channel: string; location_id: string | null; amount: number; at: string } | null;
  /** Usable now in the channel and store asked about. */
  usable: boolean;
  reason: string | null;
  message: string | null;
}

/** A coupon of the wallet: usable now in the asked channel and store, best first. */
export interface WalletCoupon {
  code: string;
  template_id: string;
  name: string;
  kind: CouponKind;
  value: number;
  cap: number | null;
  min_spend: number;
  gift_sku: string | null;
  skus: string[] | null;
  categories: string[] | null;
  stackable: boolean;
  valid_to: string | null;
}

export interface Tier {
  code: string;
  name: string;
  multiplier: number;
  spend_12m: number;
  next?: { code: string; name: string; min_spend: number };
}

/** GET /v1/customers/:id/wallet?channel=&location_id= */
export interface Wallet {
  customer_id: string;
  channel: string | null;
  location_id: string | null;
  tier: Tier;
  /** value: what the balance is worth in fen; per_yuan: points per CNY; cap_percent: most of an order points pay. */
  points: { balance: number; value: number; per_yuan: number; cap_percent: number };
  coupons: WalletCoupon[];
}

export interface ExpiringSoon {
  points: number;
  items: { expires_at: string; points: number }[];
}

export interface PointsEntry {
  id: string;
  kind: string;
  /** Signed. */
  points: number;
  source: string;
  order_ref: string | null;
  event_ref: string | null;
  reverses: string | null;
  unrecovered: number;
  reason: string | null;
  created_at: string;
  expires_at: string | null;
  remaining: number | null;
}

/** GET /v1/customers/:id/points */
export interface PointsView {
  balance: number;
  expiring_soon: ExpiringSoon;
  history?: PointsEntry[] | { items: PointsEntry[]; next_cursor: string | null };
  items?: PointsEntry[];
  next_cursor?: string | null;
}

export interface TierRule {
  code: string;
  name: string;
  /** fen over the rolling 12 months. */
  min_spend: number;
  multiplier: number;
  /** Coupon templates issued once on reaching the tier. */
  coupon_template_ids: string[];
}

export interface LoyaltyRules {
  points_per_yuan_redeem: number;
  redeem_cap_percent: number;
  expiry_months: number;
  earn_per_yuan: number;
  channel_multipliers: Record<string, number>;
  category_multipliers: Record<string, number>;
  /** Points for acts that are not purchases, by act name. */
  acts: Record<string, number>;
  referral: { referrer_points: number; referee_points: number; referrer_coupon_template_id: string | null; referee_coupon_template_id: string | null };
}

// ---- The quote (POST /v1/quote) and what an order keeps of it ----

export interface QuoteLine {
  line_no: number;
  sku: string;
  name: string;
  category: string;
  qty: number;
  unit_price: number;
  subtotal: number;
  coupon_discount: number;
  points_used: number;
  points_discount: number;
  discount: number;
  amount: number;
}

export interface QuoteCoupon {
  code: string;
  template_id: string | null;
  name: string | null;
  kind: string | null;
  applied: boolean;
  discount: number;
  lines: number[];
  reason?: string;
  message?: string;
}

/** One step of the price: a coupon, points, the delivery fee, a paused promotion. */
export interface Adjustment {
  type: string;
  code?: string;
  /** fen: negative takes off, positive adds (a delivery fee). */
  amount: number;
  lines?: number[];
  description: string;
  reason?: string;
  params?: Record<string, string | number>;
}

export interface Quote {
  channel: string;
  customer_id: string | null;
  currency: string;
  lines: QuoteLine[];
  coupons: QuoteCoupon[];
  points: { requested: number; applied: number; value: number; balance: number | null; max_usable: number; step: number };
  adjustments: Adjustment[];
  totals: { subtotal: number; coupon_discount: number; points_discount: number; discount: number; delivery_fee: number; total: number; points_used: number };
  /** What POST /v1/orders would refuse in this request, with the status and field it would answer. */
  issues: { status: number; code: string; field: string; message: string }[];
}

// ---- Helpers ----

/** What a coupon gives, in words: ¥10 off; 15% off (at most ¥20); ¥20 off ¥100; free delivery; a gift. */
export function couponValueText(t: Translate, c: { kind: string; value: number; cap?: number | null; min_spend?: number; gift_sku?: string | null }): string {
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
  const rnd = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${rnd}`;
}
