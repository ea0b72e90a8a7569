/** The shelf-QR page's words (server-rendered, so they live beside it rather than in the console's i18n). */
export const PAGE_STRINGS = {
  'zh-CN': {
    price: '价格',
    atStore: (store: string) => `${store} 库存`,
    inStock: (n: number) => `有货 ${n} 件`,
    outOfStock: '暂时缺货',
    noStore: '扫描门店货架上的二维码，可查看本店库存',
    nearby: '附近门店',
    km: (km: number) => `${km} 公里`,
    deliver: '送货上门',
    pickup: '预约到店自提',
    reviews: '顾客评价',
    noReviews: '还没有评价',
    reviewCount: (n: number) => `${n} 条评价`,
    buyer: '已购买顾客',
    video: '观看视频 / 直播回放',
    notFound: '没有找到这件商品',
    otherLang: 'English',
  },
  en: {
    price: 'Price',
    atStore: (store: string) => `Stock at ${store}`,
    inStock: (n: number) => `${n} in stock`,
    outOfStock: 'Out of stock',
    noStore: "Scan the code on a store's shelf to see that store's stock",
    nearby: 'Nearby stores',
    km: (km: number) => `${km} km`,
    deliver: 'Deliver to me',
    pickup: 'Reserve for pickup',
    reviews: 'Reviews',
    noReviews: 'No reviews yet',
    reviewCount: (n: number) => `${n} review${n === 1 ? '' : 's'}`,
    buyer: 'Verified buyer',
    video: 'Watch the video / livestream replay',
    notFound: 'No such product',
    otherLang: '中文',
  },
} as const;

export type PageLang = keyof typeof PAGE_STRINGS;

/** ?lang= wins; else the browser's first language: English for en*, Chinese otherwise. */
export function pageLang(query: string | undefined, acceptLanguage: string | undefined): PageLang {
  if (query === 'en' || query === 'zh-CN') return query;
  return /^\s*en\b/i.test(acceptLanguage ?? '') ? 'en' : 'zh-CN';
}
