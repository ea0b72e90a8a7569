/**
 * The coupon rollup (analytics_coupon_daily): per day and coupon template, coupons issued,
 * redemptions, their discount (fen), the orders that used them and those orders' net sales.
 *
 * Two kinds of redemption:
 * - at checkout: made with the order, in its transaction (redeemed_at = the order's placed_at). It
 *   counts when the order is a sale, on the day the order was placed, as the sales rollups count the
 *   order (rollup.ts: `order.paid`, an in-store `order.placed`, a paid order's `order.cancelled`
 *   takes it away with its returns), with the order's net sales (Σ line amounts = gross − coupons −
 *   points); each return takes its refund off those net sales on the day of the return. A coupon given
 *   back by a full return stays counted: the order was a sale that used it.
 * - at a till (POST /v1/coupons/{code}/redeem) for no order placed with it: counts once made, on the
 *   day it was made (`coupon.redeemed`), with its discount; Santong knows no order or net sales of it.
 * Issued coupons count on the day of issue (`coupon.issued`).
 *
 * Each contribution is computed from facts that do not change (an order's lines and placement, a
 * redemption's template, amount and time, a coupon's issue), so events commute as in rollup.ts.
 * The order events arrive through rollup.ts's applyOrderEvents (its applied-event ids and watermark
 * keep them to once); the coupon events through applyCouponEvents, with their own applied ids
 * (analytics_coupon_applied_events) and the same watermark. rebuildCouponRollups recomputes all of
 * it with the same SQL inside the sales rebuild's transaction.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import type { PublishedEvent } from '../../platform/events/outbox';
import { freshEvents } from './fresh-events';
import { couponIssues, couponRedemptionFacts } from '../loyalty/coupons/public';
import { NOT_SALE_STATUSES, orderFacts, orderLineFacts, returnLineFacts } from '../orders/public';

/** The coupon events this rollup follows (the order events come through rollup.ts). */
export const COUPON_ROLLUP_EVENTS = ['coupon.issued', 'coupon.redeemed'];

interface Signed {
  id: string;
  sign: 1 | -1;
}

type Scope = { all: true } | { all: false; orders: Signed[]; returns: Signed[] };

const notSales = sql.join(NOT_SALE_STATUSES.map((s) => sql.lit(s)));
const day = (col: RawBuilder<unknown>, tz: string) => sql`(${col} AT TIME ZONE ${tz})::date`;
const recordset = (rows: Signed[]) =>
  sql`(SELECT id, sign FROM json_to_recordset(${JSON.stringify(rows)}::json) AS j(id text, sign int))`;

const MEASURES = ['issued', 'redeemed', 'discount', 'orders', 'net_sales'] as const;
const columns = sql.join(MEASURES.map((m) => sql.ref(m)));
const sums = sql.join(MEASURES.map((m) => sql`sum(${sql.ref(m)})`));
const addExcluded = sql.join(MEASURES.map((m) => sql`${sql.ref(m)} = t.${sql.ref(m)} + excluded.${sql.ref(m)}`));
const allZero = sql.join(
  MEASURES.map((m) => sql`${sql.ref(m)} = 0`),
  sql` AND `,
);

/** Redemptions made with their order at checkout (not at a till afterwards). */
const checkout = (r: string, o: string) => sql`${sql.ref(`${r}.redeemed_at`)} <= ${sql.ref(`${o}.placed_at`)}`;

/** Adds rows (day, template_id, issued, redeemed, discount, orders, net_sales); rows back at zero are deleted. */
async function upsert(db: Queryable, rows: RawBuilder<unknown>): Promise<void> {
  const changed = await sql<{ zero: boolean; day: string; template_id: string }>`
    INSERT INTO analytics_coupon_daily AS t (day, template_id, ${columns})
    SELECT day, template_id, ${sums} FROM (${rows}) x GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, template_id) DO UPDATE SET ${addExcluded}
    RETURNING (${allZero}) AS zero, day::text AS day, template_id`.execute(db);
  const zero = changed.rows.filter((r) => r.zero);
  if (zero.length > 0)
    await sql`DELETE FROM analytics_coupon_daily t USING json_to_recordset(${JSON.stringify(zero)}::json)
        AS z(day date, template_id text)
      WHERE t.day = z.day AND t.template_id = z.template_id AND ${allZero}`.execute(db);
}

/** Checkout redemptions of the scope's sales, and the refunds of their returns. */
function orderRows(tz: string, scope: Scope): RawBuilder<unknown> {
  const orders = scope.all
    ? sql`(SELECT id, 1 AS sign FROM ${orderFacts} a WHERE a.status NOT IN (${notSales}))`
    : recordset(scope.orders);
  const returns = scope.all
    ? sql`(SELECT DISTINCT r.return_id AS id, 1 AS sign FROM ${returnLineFacts} r JOIN ${orderFacts} a ON a.id = r.order_id
        WHERE a.status NOT IN (${notSales}))`
    : recordset(scope.returns);
  return sql`
    SELECT ${day(sql`o.placed_at`, tz)} AS day, r.template_id, 0 AS issued, s.sign * count(*) AS redeemed,
           s.sign * sum(r.amount) AS discount, s.sign AS orders, s.sign * min(l.net) AS net_sales
    FROM ${orders} s JOIN ${orderFacts} o ON o.id = s.id
    JOIN ${couponRedemptionFacts} r ON r.order_ref = o.id AND ${checkout('r', 'o')}
    JOIN LATERAL (SELECT coalesce(sum(x.amount), 0) AS net FROM ${orderLineFacts} x WHERE x.order_id = o.id) l ON true
    GROUP BY 1, 2, s.id, s.sign
    UNION ALL
    SELECT ${day(sql`f.created_at`, tz)}, t.template_id, 0, 0, 0, 0, -f.sign * f.refund
    FROM (SELECT s.id, s.sign, min(rl.order_id) AS order_id, min(rl.created_at) AS created_at, sum(rl.amount) AS refund
          FROM ${returns} s JOIN ${returnLineFacts} rl ON rl.return_id = s.id GROUP BY s.id, s.sign) f
    JOIN ${orderFacts} o ON o.id = f.order_id
    JOIN (SELECT DISTINCT r.order_ref, r.template_id FROM ${couponRedemptionFacts} r JOIN ${orderFacts} o2
            ON o2.id = r.order_ref AND ${checkout('r', 'o2')}) t ON t.order_ref = o.id`;
}

/** Coupons issued (all, or these codes), on their day of issue. */
function issuedRows(tz: string, codes: string[] | null): RawBuilder<unknown> {
  return sql`
    SELECT ${day(sql`c.issued_at`, tz)} AS day, c.template_id, 1 AS issued, 0 AS redeemed, 0::bigint AS discount,
           0 AS orders, 0::bigint AS net_sales
    FROM ${couponIssues} c
    ${codes ? sql`WHERE c.code IN (SELECT json_array_elements_text(${JSON.stringify(codes)}::json))` : sql``}`;
}

/** Redemptions at a till for no order placed with them (all, or these redemptions by code, order_ref, time). */
function tillRows(tz: string, which: { code: string; order_ref: string; at: string }[] | null): RawBuilder<unknown> {
  return sql`
    SELECT ${day(sql`r.redeemed_at`, tz)} AS day, r.template_id, 0 AS issued, 1 AS redeemed, r.amount AS discount,
           0 AS orders, 0::bigint AS net_sales
    FROM ${couponRedemptionFacts} r
    ${
      which
        ? sql`JOIN json_to_recordset(${JSON.stringify(which)}::json) AS w(code text, order_ref text, at timestamptz)
                ON w.code = r.code AND w.order_ref = r.order_ref AND w.at = r.redeemed_at`
        : sql``
    }
    WHERE NOT EXISTS (SELECT 1 FROM ${orderFacts} o WHERE o.id = r.order_ref AND ${checkout('r', 'o')})`;
}

/** The order side, inside rollup.ts's applyOrderEvents: its fresh sales (±) and returns (±). */
export async function applyCouponOrders(tx: Tx, tz: string, orders: Signed[], returns: Signed[]): Promise<void> {
  if (orders.length === 0 && returns.length === 0) return;
  await upsert(tx, orderRows(tz, { all: false, orders, returns }));
}

/** Applies a dispatched batch of coupon events (issued, redeemed at a till) once each. */
export async function applyCouponEvents(tx: Tx, tz: string, events: PublishedEvent[]): Promise<void> {
  const relevant = events.filter((e) => COUPON_ROLLUP_EVENTS.includes(e.type) && typeof e.payload.code === 'string');
  const todo = await freshEvents(tx, 'analytics_coupon_applied_events', relevant);
  if (todo.length === 0) return;
  const issued = todo.filter((e) => e.type === 'coupon.issued').map((e) => String(e.payload.code));
  const redeemed = todo
    .filter((e) => e.type === 'coupon.redeemed')
    .map((e) => ({
      code: String(e.payload.code),
      order_ref: String(e.payload.order_ref),
      at: String(e.payload.redeemed_at),
    }));
  if (issued.length === 0 && redeemed.length === 0) return;
  const parts: RawBuilder<unknown>[] = [];
  if (issued.length > 0) parts.push(issuedRows(tz, issued));
  if (redeemed.length > 0) parts.push(tillRows(tz, redeemed));
  await upsert(tx, sql.join(parts, sql` UNION ALL `));
}

/** Recomputes the coupon rollup from the coupons and orders (inside rebuildSalesRollups' transaction). */
export async function rebuildCouponRollups(tx: Tx, tz: string): Promise<void> {
  await sql`DELETE FROM analytics_coupon_daily`.execute(tx);
  await sql`DELETE FROM analytics_coupon_applied_events`.execute(tx);
  await upsert(
    tx,
    sql`${orderRows(tz, { all: true })} UNION ALL ${issuedRows(tz, null)} UNION ALL ${tillRows(tz, null)}`,
  );
}

/** Forgets applied coupon event ids older than 7 days. */
export async function pruneCouponEvents(db: Queryable, now = new Date()): Promise<number> {
  const r =
    await sql`DELETE FROM analytics_coupon_applied_events WHERE applied_at < ${new Date(now.getTime() - 7 * 86400_000)}`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0);
}
