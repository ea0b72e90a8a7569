import { sql } from 'kysely';
import { open, type KeyRing } from '../../platform/crypto/keys';
import type { Queryable, Tx } from '../../platform/db/database';
import type { placeOrder } from './place-order';

/** What other modules may know of orders: these functions and fragments, never the tables. */

/** Order statuses after which nothing more is delivered or handed over. Any other status blocks an erasure. */
const CLOSED_ORDER_STATUSES = ['completed', 'cancelled', 'expired', 'fulfilment_failed'];

/**
 * One row per order: who, where, when, how much (analytics, the customer profile and timeline,
 * referrals, a fulfilment's owner). A FROM-clause fragment that PostgreSQL inlines; give it an
 * alias: `FROM ${orderSummaries} o`.
 */
export const orderSummaries = sql`(
  SELECT id, channel, customer_id, location_id, status, total, refunded_total, placed_at, paid_at FROM orders)`;

/**
 * What makes a row of orderSummaries (aliased `alias`) a sale: paid or completed, and neither
 * cancelled nor expired. The one definition segments, RFM and lifetime value share.
 */
export const isSale = (alias: string) =>
  sql`(${sql.ref(`${alias}.paid_at`)} IS NOT NULL OR ${sql.ref(`${alias}.status`)} = 'completed')
    AND ${sql.ref(`${alias}.status`)} NOT IN ('cancelled', 'expired')`;

/**
 * One row per sale (RFM, lifetime value): a paid or completed order, not cancelled or expired, of a
 * customer, with its amount net of refunds in fen. A FROM-clause fragment; alias it: `FROM ${sales} s`.
 */
export const sales = sql`(
  SELECT customer_id, placed_at, total - refunded_total AS net FROM orders o
  WHERE customer_id IS NOT NULL AND ${isSale('o')})`;

/**
 * Where orders were delivered: one row per order of a customer with delivery coordinates
 * (`customer_id`, `id`, `placed_at`, `lat`, `lng`). A FROM-clause fragment.
 */
export const deliveryPoints = sql`(
  SELECT customer_id, id, placed_at, delivery_lat AS lat, delivery_lng AS lng FROM orders
  WHERE customer_id IS NOT NULL AND delivery_lat IS NOT NULL AND delivery_lng IS NOT NULL)`;

/** Order statuses that are not sales: awaiting payment, cancelled or expired (analytics). */
export const NOT_SALE_STATUSES = ['pending_payment', 'cancelled', 'expired'] as const;

/**
 * One row per order for sales analytics: channel, store, customer, status, when, and its fulfilment
 * kind (in_store, pickup, or the delivery speed hour, same_day, standard). A FROM-clause fragment:
 * `JOIN ${orderFacts} o`.
 */
export const orderFacts = sql`(
  SELECT id, channel, customer_id, location_id, status, placed_at, paid_at,
         CASE WHEN fulfillment_type = 'delivery' THEN coalesce(speed, 'standard') ELSE fulfillment_type END AS fulfilment
  FROM orders)`;

/**
 * Every order line with what was paid (amount, fen) and the coupon and points discounts taken off
 * it (amount + coupon_discount + points_discount = list price × qty). `JOIN ${orderLineFacts} l`.
 */
export const orderLineFacts = sql`(
  SELECT order_id, line_no, sku, qty, amount, coupon_discount, points_discount FROM order_lines)`;

/** Every returned line, with its return's order and time and the amount refunded for it (fen). */
export const returnLineFacts = sql`(
  SELECT r.id AS return_id, r.order_id, r.created_at, rl.sku, rl.qty, rl.amount
  FROM order_returns r JOIN order_return_lines rl ON rl.return_id = r.id)`;

/** The ids of the returns of these orders. */
export async function returnIdsOf(db: Queryable, orderIds: readonly string[]): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const rows = await db
    .selectFrom('order_returns')
    .select('id')
    .where('order_id', 'in', [...orderIds])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Every order line: which SKU, how many, for how much (fen). A FROM-clause fragment: `JOIN ${orderLines} l`. */
export const orderLines = sql`(SELECT order_id, sku, qty, amount FROM order_lines)`;

/** Every order of these customers (erasure scrubs their events too). */
export async function orderIdsOf(db: Queryable, customerIds: string[]): Promise<string[]> {
  if (customerIds.length === 0) return [];
  const rows = await db.selectFrom('orders').select('id').where('customer_id', 'in', customerIds).execute();
  return rows.map((o) => o.id);
}

/** Up to `limit` orders of these customers that are still in progress. */
export async function openOrderIds(db: Queryable, customerIds: string[], limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('orders')
    .select('id')
    .where('customer_id', 'in', customerIds)
    .where('status', 'not in', CLOSED_ORDER_STATUSES)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((o) => o.id);
}

/** An order's lines with their amounts, in line order. */
export async function orderLineAmounts(
  db: Queryable,
  orderId: string,
): Promise<{ line_no: number; qty: number; amount: number }[]> {
  const lines = await db
    .selectFrom('order_lines')
    .select(['line_no', 'qty', 'amount'])
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
  return lines.map((l) => ({ line_no: l.line_no, qty: l.qty, amount: Number(l.amount) }));
}

/** Where a delivery goes, the address unsealed (for the courier). */
export async function deliveryOf(
  db: Queryable,
  keys: KeyRing,
  orderId: string,
): Promise<{ lat: number; lng: number; address: string }> {
  const o = await db
    .selectFrom('orders')
    .select(['delivery_lat', 'delivery_lng', 'address_enc', 'address_key'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  const address =
    o.address_enc && o.address_key ? open(keys.unwrap(o.address_key), o.address_enc).toString('utf8') : '';
  return { lat: o.delivery_lat ?? 0, lng: o.delivery_lng ?? 0, address };
}

/** The code a pickup order is collected with. */
export async function pickupCodeOf(db: Queryable, orderId: string): Promise<string | null> {
  return (await db.selectFrom('orders').select('pickup_code').where('id', '=', orderId).executeTakeFirstOrThrow())
    .pickup_code;
}

/** The order follows its fulfilments' progress, unless it was cancelled or expired meanwhile. */
export async function followFulfilments(tx: Tx, orderId: string, status: string, at: Date): Promise<void> {
  await tx
    .updateTable('orders')
    .set({ status, updated_at: at })
    .where('id', '=', orderId)
    .where('status', 'not in', ['cancelled', 'expired'])
    .execute();
}

/**
 * Change feed for audiences kept current incrementally: ids (`id` rows) of customers with an order
 * placed, paid, cancelled, returned or otherwise changed after `since` (each bumps updated_at).
 */
export const orderCustomersChangedSince = (since: Date) => sql<{ id: string }>`(
  SELECT customer_id AS id FROM orders WHERE updated_at > ${since.toISOString()}::timestamptz AND customer_id IS NOT NULL)`;

/** Ids of customers with an order placed in `(from, to]`: a window edge passing. */
export const orderCustomersPlacedBetween = (from: Date, to: Date) => sql<{ id: string }>`(
  SELECT customer_id AS id FROM orders
  WHERE placed_at > ${from.toISOString()}::timestamptz AND placed_at <= ${to.toISOString()}::timestamptz
    AND customer_id IS NOT NULL)`;

/** Group-buy orders: the group-buy module registers its campaigns' terms and how a claim is given back (orders/group-buy.ts). */
export { registerGroupBuy, type GroupBuyRelease, type GroupBuyTermsOf } from './group-buy';
export { lockOrders } from './locks';
export {
  AdjustmentSchema,
  CancelBody,
  CustomerRefSchema,
  PAYMENT_METHODS,
  PlaceOrderBody,
  type PaymentMethod,
} from './schemas';

declare module '../../platform/http/context' {
  interface AppContext {
    /**
     * Places an order as POST /v1/orders does, for another module's sale (a pre-sale's reservation
     * sold at its store's till): `ctx.placeOrder(ctx, principal, input)`. A service of the context
     * (wired in modules/index.ts) rather than an export: place-order.ts reaches modules that read
     * this file, so exporting it here would make an import cycle.
     */
    placeOrder: typeof placeOrder;
  }
}
