import type { journeysZhCN } from './journeys.zh-CN';

/** Journeys' strings in English: exactly the keys of journeys.zh-CN.ts. */
export const journeysEn: Record<keyof typeof journeysZhCN, string> = {
  'offers.title': 'Offers for this member',
  'offers.hint':
    'Coupons usable at this store now (best value first), then products they viewed lately that are in stock here',
  'offers.none': 'No coupon usable at this store and no recently viewed product in stock here',
  'offers.coupons': 'Coupons usable here',
  'offers.couponFor': '{coupon}: for {products}',
  'offers.viewed': 'Viewed lately, in stock here',
  'offers.product': 'Product',
  'offers.price': 'Price',
  'offers.onShelf': 'Sellable here',
  'offers.viewedAt': 'Viewed',
};
