import type { healthZhCN } from './health.zh-CN';

/** Coupon ROI and inventory health on the dashboard, in English. */
export const healthEn: Record<keyof typeof healthZhCN, string> = {
  'coupon.title': 'Coupon ROI',
  'coupon.hint': 'By coupon template; from daily rollups, updated within about a second',
  'coupon.range': 'Range',
  'coupon.range.30d': 'Last 30 days',
  'coupon.range.90d': 'Last 90 days',
  'coupon.range.365d': 'Last year',
  'coupon.template': 'Template',
  'coupon.kind': 'Kind',
  'coupon.issued': 'Issued',
  'coupon.redeemed': 'Redeemed',
  'coupon.rate': 'Redemption rate',
  'coupon.discount': 'Discount cost',
  'coupon.orders': 'Orders',
  'coupon.net_sales': 'Net sales of those orders',
  'coupon.roi': 'ROI',
  'coupon.def.issued': 'Issued = coupons issued in the range (by the day of issue)',
  'coupon.def.redeemed':
    'Redeemed = coupons used at checkout on orders paid or completed (by the day the order was placed; a coupon given back by a full return still counts) + coupons redeemed at a till for no order placed with them (by the day of redemption)',
  'coupon.def.rate':
    'Redemption rate = redeemed ÷ issued over the same range (it may hold redemptions of coupons issued earlier)',
  'coupon.def.discount': 'Discount cost = the amount the redeemed coupons took off (yuan)',
  'coupon.def.orders': 'Orders = paid or completed orders that used a coupon of the template at checkout',
  'coupon.def.net_sales':
    "Net sales = those orders' gross sales − coupons − points − refunds (refunds by the day of the return, delivery fees excluded); an order with two templates counts for both",
  'coupon.def.roi': 'ROI = net sales ÷ discount cost',
  'coupon.journeys': "Journeys' uplift is not reported yet: journeys are not built.",
  'coupon.chart': 'Discount cost and net sales by coupon template',
  'coupon.none': 'No coupon templates in the range',
  'coupon.total': 'Total',

  'stock.health.title': 'Inventory health',
  'stock.health.hint': 'Stock is live; the stock-out history comes from daily stock snapshots',
  'stock.health.store': 'Store',
  'stock.health.allStores': 'All stores and warehouses',
  'stock.health.outNow': 'Stock-out rate now',
  'stock.health.out28': 'Stock-out rate, last 28 days',
  'stock.health.cover': 'Days of cover',
  'stock.health.turnover': '28-day turnover',
  'stock.health.outCount': '{out} of {pairs} selling SKU × store pairs',
  'stock.health.days': '{days} days',
  'stock.health.snapshots': '{days} days of snapshots',
  'stock.health.def.outNow':
    'Stock-out rate now = share of the SKU × location pairs the location stocks and sold in the last 28 days whose online-available stock (on hand − reserved − safety stock) is 0 now',
  'stock.health.def.out28':
    'Stock-out rate, last 28 days = days those pairs showed 0 online-available in the daily snapshots ÷ their snapshot days',
  'stock.health.def.cover':
    'Days of cover = units on hand now ÷ average daily units over the last 28 days (sold − returned)',
  'stock.health.def.turnover':
    '28-day turnover = units over the last 28 days ÷ average units on hand in their snapshots',
  'stock.health.def.low': 'Low stock = pairs sold in the last 28 days with fewer than 7 days of cover, fewest first',
  'stock.health.def.slow':
    'Slow movers = pairs with stock on hand and no sale at that location in the last 60 days, by stock value (on hand × list price)',
  'stock.health.history': 'Stock-out rate by day (last 28 days)',
  'stock.health.low': 'Low stock ({count})',
  'stock.health.slow': 'Slow movers ({count})',
  'stock.health.location': 'Store / warehouse',
  'stock.health.product': 'Product',
  'stock.health.onHand': 'On hand',
  'stock.health.available': 'Online available',
  'stock.health.avgDaily': 'Average daily units',
  'stock.health.value': 'Stock value',
  'stock.health.emptyLow': 'No low stock',
  'stock.health.emptySlow': 'No slow movers',
};
