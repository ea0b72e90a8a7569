import { sql } from 'kysely';

/** What other modules may know of coupons beyond the service functions: these fragments, never the tables. */

/**
 * Every order (by `order_ref`, a Santong order id when redeemed at checkout) that used a coupon,
 * once each, given back later or not: a FROM-clause fragment for the rule language's coupon share.
 */
export const couponOrders = sql<{ order_ref: string }>`(SELECT DISTINCT order_ref FROM coupon_redemptions)`;

/**
 * Every coupon ever issued: its code, template and when it was issued (analytics: coupons issued per
 * day). A FROM-clause fragment: `FROM ${couponIssues} c`.
 */
export const couponIssues = sql<{
  code: string;
  template_id: string;
  issued_at: Date;
}>`(SELECT code, template_id, issued_at FROM coupons)`;

/**
 * Every redemption, kept when the coupon was given back (restored_at set): which template, for which
 * order reference (a Santong order id at checkout, or a till's document), how much it took off (fen)
 * and when. A FROM-clause fragment: `FROM ${couponRedemptionFacts} r`.
 */
export const couponRedemptionFacts = sql<{
  id: string;
  code: string;
  template_id: string;
  order_ref: string;
  amount: string;
  redeemed_at: Date;
  restored_at: Date | null;
}>`(SELECT id, code, template_id, order_ref, amount, redeemed_at, restored_at FROM coupon_redemptions)`;

/** Every coupon template's id, name, kind and status. A FROM-clause fragment: `FROM ${couponTemplateFacts} t`. */
export const couponTemplateFacts = sql<{
  id: string;
  name: string;
  kind: string;
  status: string;
}>`(SELECT id, name, kind, status FROM coupon_templates)`;
export { issueCoupon, issueCoupons } from './issue';
export { createTemplate } from './templates';
export { voidCoupon } from './void';
