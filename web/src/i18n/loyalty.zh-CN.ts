/** 会员积分 (loyalty): coupons, points, tiers and the till, in Simplified Chinese. */
export const loyaltyZhCN = {
  'nav.till': '门店收银',
} as const;
