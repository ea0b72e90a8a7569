import type { Int8 } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = [
  'analytics_sales_daily',
  'analytics_sku_daily',
  'analytics_buyers_daily',
  'analytics_applied_events',
  'analytics_rollup_state',
  'analytics_customer_daily',
  'analytics_customer_firsts',
  'analytics_buyer_days',
  'analytics_sku_day',
  'analytics_coupon_daily',
  'analytics_coupon_applied_events',
  'analytics_stock_daily',
  'analytics_fulfilment_timings',
  'analytics_category_day',
  'analytics_customer_steps',
  'analytics_customer_day_sums',
  'analytics_cohort_days',
  'analytics_customer_cross_days',
] as const;

interface Measures {
  gross_sales: Int8;
  coupon_discounts: Int8;
  points_discounts: Int8;
  refunds: Int8;
  orders: number;
  identified_orders: number;
  units_sold: number;
  units_returned: number;
}

export interface AnalyticsSalesDailyTable extends Measures {
  day: string;
  channel: string;
  location_id: string;
  fulfilment: string;
}

export interface AnalyticsSkuDailyTable extends AnalyticsSalesDailyTable {
  category: string;
  sku: string;
}

export interface AnalyticsBuyersDailyTable {
  day: string;
  customer_id: string;
  channel: string;
  location_id: string;
  fulfilment: string;
  root: string;
  orders: number;
}

export interface AnalyticsSkuDayTable extends Measures {
  day: string;
  category: string;
  sku: string;
}

export interface AnalyticsBuyerDaysTable {
  dims: string;
  day: string;
  channel: string;
  location_id: string;
  fulfilment: string;
  prev_day: string;
  buyers: number;
}

declare module '../../platform/db/schema' {
  interface DB {
    analytics_sales_daily: AnalyticsSalesDailyTable;
    analytics_sku_daily: AnalyticsSkuDailyTable;
    analytics_buyers_daily: AnalyticsBuyersDailyTable;
    analytics_sku_day: AnalyticsSkuDayTable;
    analytics_buyer_days: AnalyticsBuyerDaysTable;
  }
}
