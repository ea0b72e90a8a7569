import { allOf, type Answer, type RequestBody } from './contract';
import type { paths } from './generated/api';

/** Shapes of the till's payment, the store stock view and low stock per location (issue 16), from the API contract. */

export type PaymentMethod = NonNullable<RequestBody<'/v1/orders', 'post'>['payment_method']>;
export const PAYMENT_METHODS = allOf<PaymentMethod>()(['wechat_pay', 'alipay', 'cash', 'bank_card']);

/** GET /v1/locations/:id/stock */
export type StoreStockPage = Answer<'/v1/locations/{id}/stock'>;
export type StoreStockRow = StoreStockPage['items'][number];
type StoreStockQuery = NonNullable<paths['/v1/locations/{id}/stock']['get']['parameters']['query']>;
export type StoreStockSort = NonNullable<StoreStockQuery['sort']>;
export const STORE_STOCK_SORTS = allOf<StoreStockSort>()([
  'sku',
  'name',
  'on_hand',
  'reserved',
  'available',
  'sales_7d',
]);

/** GET /v1/stock/low/locations */
export type LowLevel = Answer<'/v1/stock/low/locations'>['items'][number];
export type LowRule = LowLevel['rules'][number];
export const LOW_RULES = allOf<LowRule>()(['safety_stock', 'product_rule', 'store_threshold']);
/** GET /v1/stock/low-stock-rules */
export type LowStockRule = Answer<'/v1/stock/low-stock-rules'>['items'][number];
/** GET /v1/stock/totals?skus= */
export type StockTotals = Answer<'/v1/stock/totals'>;
