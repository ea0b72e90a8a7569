/** The to-store flow's strings (journeys' pick_store step and store-only coupons), Simplified Chinese. */
export const journeysStoreZhCN = {
  'journeys.step.pick_store': '选附近门店',
  'journeys.pickStore.km': '距离顾客（公里以内）',
  'journeys.pickStore.sku': '门店须有货的商品',
  'journeys.pickStore.fromTrigger': '触发事件里的商品',
  'journeys.pickStore.fixed': '指定商品编码',
  'journeys.pickStore.hint':
    '选离顾客最近、营业中、该商品有货的门店（顾客位置：最近一次送货地址，否则常去门店，否则首次门店消费）；没有则顾客退出旅程，不发券不发消息（原因：附近无门店）',
  'journeys.coupon.atPickedStore': '券只能在选中的门店使用',
  'journeys.message.storeVar': '{{store}} 为上一步选中的门店名称',
  'journeys.reason.no_store_nearby': '附近无有货门店',
  'journeys.reason.no_store_picked': '未选中门店',
} as const;
