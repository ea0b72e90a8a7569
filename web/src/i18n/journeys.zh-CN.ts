/** Journeys' strings (the console's 旅程 area) and the till's offers after payment, in Simplified Chinese. */
export const journeysZhCN = {
  'offers.title': '推荐给这位会员',
  'offers.hint': '本店现在可用的券（优惠大的在前），以及他最近看过、本店有货的商品',
  'offers.none': '这位会员在本店暂时没有可用的券，也没有最近看过且有货的商品',
  'offers.coupons': '本店可用的券',
  'offers.couponFor': '{coupon}：限 {products}',
  'offers.viewed': '最近看过、本店有货',
  'offers.product': '商品',
  'offers.price': '价格',
  'offers.onShelf': '本店可售',
  'offers.viewedAt': '浏览时间',
} as const;
