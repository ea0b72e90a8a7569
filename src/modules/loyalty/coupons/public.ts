import { sql } from 'kysely';

/** What other modules may know of coupons beyond the service functions: these fragments, never the tables. */

/**
 * Every order (by `order_ref`, a Santong order id when redeemed at checkout) that used a coupon,
 * once each, given back later or not: a FROM-clause fragment for the rule language's coupon share.
 */
export const couponOrders = sql<{ order_ref: string }>`(SELECT DISTINCT order_ref FROM coupon_redemptions)`;
