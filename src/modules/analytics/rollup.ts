/**
 * Sales rollups: daily sums by channel, store, fulfilment kind (analytics_sales_daily), by category
 * and SKU (analytics_sku_daily), and the day's identified buyers (analytics_buyers_daily).
 *
 * Maintenance. An order counts as a sale from its payment (`order.paid`) or, sold in store, from its
 * placement (`order.placed` with status completed), on the day it was placed; a return
 * (`order.returned`) adds its refund and units on the day of the return; an order cancelled after
 * payment (`order.cancelled`) leaves the figures with its returns. Each event adds (+1) or takes
 * away (−1) a contribution computed from the order's facts, which do not change after placement,
 * so events commute: the figures are right whatever order batches commit in. The outbox dispatcher
 * hands the events over in batches (workers.ts), inside its transaction: the lag is one dispatcher
 * tick (SANTONG_DISPATCH_INTERVAL_MS, 500 ms by default) plus the batch, well under 2 s.
 * Idempotent: applied event ids are recorded (analytics_applied_events) and an event seen again
 * is skipped; events up to the last rebuild's watermark are already in the rebuilt figures.
 *
 * Batches of several processes upsert rollup rows in key order (ORDER BY in each upsert), so they
 * wait for one another without a cycle; rollup rows are written last in the dispatcher's transaction.
 *
 * `rebuildSalesRollups` recomputes everything from the orders (santong analytics rebuild; imports and
 * the demo seed call it) with the same SQL, so incremental figures equal a rebuild.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Database, Queryable, Tx } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import type { PublishedEvent } from '../../platform/events/outbox';
import { productFacts } from '../catalog/public';
import { customerRoots } from '../customers/public';
import { applyCouponOrders, rebuildCouponRollups } from './coupon-rollup';
import { NOT_SALE_STATUSES, orderFacts, orderLineFacts, returnIdsOf, returnLineFacts } from '../orders/public';

/** The events the rollups follow. */
export const ROLLUP_EVENTS = ['order.placed', 'order.paid', 'order.cancelled', 'order.returned'];

/** Statuses an order may be cancelled from after it was paid (orders/lifecycle.ts): it was a sale. */
const PAID_STATUSES = new Set(['paid', 'in_fulfilment', 'ready_for_pickup']);

interface Signed {
  id: string;
  sign: 1 | -1;
}

/** A scope: which orders and returns to add or take away. `all` = every sale and its returns (rebuild). */
type Scope = { all: true } | { all: false; orders: Signed[]; returns: Signed[] };

const notSales = sql.join(NOT_SALE_STATUSES.map((s) => sql.lit(s)));

function orderScope(scope: Scope): RawBuilder<unknown> {
  if (scope.all) return sql`(SELECT id, 1 AS sign FROM ${orderFacts} a WHERE a.status NOT IN (${notSales}))`;
  return sql`(SELECT id, sign FROM json_to_recordset(${JSON.stringify(scope.orders)}::json) AS j(id text, sign int))`;
}

function returnScope(scope: Scope): RawBuilder<unknown> {
  if (scope.all)
    return sql`(SELECT DISTINCT r.return_id AS id, 1 AS sign FROM ${returnLineFacts} r JOIN ${orderFacts} a ON a.id = r.order_id
      WHERE a.status NOT IN (${notSales}))`;
  return sql`(SELECT id, sign FROM json_to_recordset(${JSON.stringify(scope.returns)}::json) AS j(id text, sign int))`;
}

const day = (col: RawBuilder<unknown>, tz: string) => sql`(${col} AT TIME ZONE ${tz})::date`;

const MEASURES = [
  'gross_sales',
  'coupon_discounts',
  'points_discounts',
  'refunds',
  'orders',
  'identified_orders',
  'units_sold',
  'units_returned',
] as const;

const sumsOf = sql.join(MEASURES.map((m) => sql`sum(${sql.ref(m)})`));
const addExcluded = sql.join(MEASURES.map((m) => sql`${sql.ref(m)} = t.${sql.ref(m)} + excluded.${sql.ref(m)}`));
const allZero = sql.join(
  MEASURES.map((m) => sql`${sql.ref(m)} = 0`),
  sql` AND `,
);

/** Adds the scope's contributions to the three rollups; rows that fall back to zero are deleted. */
async function applyScope(db: Queryable, tz: string, scope: Scope): Promise<void> {
  const orders = orderScope(scope);
  const returns = returnScope(scope);
  // By day, channel, store, fulfilment: one row per order, lines summed.
  const salesRows = sql`
    SELECT ${day(sql`o.placed_at`, tz)} AS day, o.channel, coalesce(o.location_id, '') AS location_id, o.fulfilment,
           s.sign * l.gross AS gross_sales, s.sign * l.coupons AS coupon_discounts, s.sign * l.points AS points_discounts,
           0::bigint AS refunds, s.sign AS orders, s.sign * (o.customer_id IS NOT NULL)::int AS identified_orders,
           s.sign * l.units AS units_sold, 0 AS units_returned
    FROM ${orders} s JOIN ${orderFacts} o ON o.id = s.id
    JOIN LATERAL (
      SELECT coalesce(sum(amount + coupon_discount + points_discount), 0) AS gross, coalesce(sum(coupon_discount), 0) AS coupons,
             coalesce(sum(points_discount), 0) AS points, coalesce(sum(qty), 0) AS units
      FROM ${orderLineFacts} x WHERE x.order_id = o.id) l ON true
    UNION ALL
    SELECT ${day(sql`r.created_at`, tz)}, o.channel, coalesce(o.location_id, ''), o.fulfilment,
           0, 0, 0, s.sign * r.amount, 0, 0, 0, s.sign * r.qty
    FROM ${returns} s JOIN ${returnLineFacts} r ON r.return_id = s.id JOIN ${orderFacts} o ON o.id = r.order_id`;
  const changed = await sql<{ zero: boolean; day: string; channel: string; location_id: string; fulfilment: string }>`
    INSERT INTO analytics_sales_daily AS t (day, channel, location_id, fulfilment, ${sql.join(MEASURES.map((m) => sql.ref(m)))})
    SELECT day, channel, location_id, fulfilment, ${sumsOf} FROM (${salesRows}) x GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, channel, location_id, fulfilment) DO UPDATE SET ${addExcluded}
    RETURNING (${allZero}) AS zero, day::text AS day, channel, location_id, fulfilment`.execute(db);
  const zeroSales = changed.rows.filter((r) => r.zero);
  if (zeroSales.length > 0)
    await sql`DELETE FROM analytics_sales_daily t USING json_to_recordset(${JSON.stringify(zeroSales)}::json)
        AS z(day date, channel text, location_id text, fulfilment text)
      WHERE t.day = z.day AND t.channel = z.channel AND t.location_id = z.location_id AND t.fulfilment = z.fulfilment
        AND ${allZero}`.execute(db);

  // By category and SKU: one row per line.
  const skuRows = sql`
    SELECT ${day(sql`o.placed_at`, tz)} AS day, o.channel, coalesce(o.location_id, '') AS location_id, o.fulfilment,
           coalesce(p.category, '') AS category, l.sku,
           s.sign * (l.amount + l.coupon_discount + l.points_discount) AS gross_sales, s.sign * l.coupon_discount AS coupon_discounts,
           s.sign * l.points_discount AS points_discounts, 0::bigint AS refunds, s.sign AS orders,
           s.sign * (o.customer_id IS NOT NULL)::int AS identified_orders, s.sign * l.qty AS units_sold, 0 AS units_returned
    FROM ${orders} s JOIN ${orderFacts} o ON o.id = s.id JOIN ${orderLineFacts} l ON l.order_id = o.id
    LEFT JOIN ${productFacts} p ON p.sku = l.sku
    UNION ALL
    SELECT ${day(sql`r.created_at`, tz)}, o.channel, coalesce(o.location_id, ''), o.fulfilment, coalesce(p.category, ''), r.sku,
           0, 0, 0, s.sign * r.amount, 0, 0, 0, s.sign * r.qty
    FROM ${returns} s JOIN ${returnLineFacts} r ON r.return_id = s.id JOIN ${orderFacts} o ON o.id = r.order_id
    LEFT JOIN ${productFacts} p ON p.sku = r.sku`;
  const changedSku = await sql<{
    zero: boolean;
    day: string;
    channel: string;
    location_id: string;
    fulfilment: string;
    category: string;
    sku: string;
  }>`
    INSERT INTO analytics_sku_daily AS t (day, channel, location_id, fulfilment, category, sku, ${sql.join(MEASURES.map((m) => sql.ref(m)))})
    SELECT day, channel, location_id, fulfilment, category, sku, ${sumsOf} FROM (${skuRows}) x GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, channel, location_id, fulfilment, category, sku) DO UPDATE SET ${addExcluded}
    RETURNING (${allZero}) AS zero, day::text AS day, channel, location_id, fulfilment, category, sku`.execute(db);
  const zeroSku = changedSku.rows.filter((r) => r.zero);
  if (zeroSku.length > 0)
    await sql`DELETE FROM analytics_sku_daily t USING json_to_recordset(${JSON.stringify(zeroSku)}::json)
        AS z(day date, channel text, location_id text, fulfilment text, category text, sku text)
      WHERE t.day = z.day AND t.channel = z.channel AND t.location_id = z.location_id AND t.fulfilment = z.fulfilment
        AND t.category = z.category AND t.sku = z.sku AND ${allZero}`.execute(db);

  // The day's identified buyers, by the customer id on the order; root = its group's root now.
  const buyers = await sql<{
    day: string;
    customer_id: string;
    channel: string;
    location_id: string;
    fulfilment: string;
    orders: number;
  }>`
    INSERT INTO analytics_buyers_daily AS t (day, customer_id, channel, location_id, fulfilment, root, orders)
    SELECT ${day(sql`o.placed_at`, tz)}, o.customer_id, o.channel, coalesce(o.location_id, ''), o.fulfilment,
           coalesce(min(c.root), o.customer_id), sum(s.sign)
    FROM ${orders} s JOIN ${orderFacts} o ON o.id = s.id LEFT JOIN ${customerRoots} c ON c.id = o.customer_id
    WHERE o.customer_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, customer_id, channel, location_id, fulfilment)
      DO UPDATE SET orders = t.orders + excluded.orders, root = excluded.root
    RETURNING day::text AS day, customer_id, channel, location_id, fulfilment, orders`.execute(db);
  const gone = buyers.rows.filter((r) => Number(r.orders) === 0);
  if (gone.length > 0)
    await sql`DELETE FROM analytics_buyers_daily t USING json_to_recordset(${JSON.stringify(gone)}::json)
        AS z(day date, customer_id text, channel text, location_id text, fulfilment text)
      WHERE t.day = z.day AND t.customer_id = z.customer_id AND t.channel = z.channel AND t.location_id = z.location_id
        AND t.fulfilment = z.fulfilment AND t.orders = 0`.execute(db);
}

/** What a batch of order events adds and takes away (pure: the events' ids, types and payloads). */
export function contributionsOf(events: PublishedEvent[]): {
  orders: Signed[];
  cancelled: string[];
  returns: Signed[];
} {
  const orders: Signed[] = [];
  const cancelled: string[] = [];
  const returns: Signed[] = [];
  for (const e of events) {
    const orderId = String(e.payload.order_id ?? e.aggregateId);
    if (e.type === 'order.paid') orders.push({ id: orderId, sign: 1 });
    else if (e.type === 'order.placed' && e.payload.status === 'completed') orders.push({ id: orderId, sign: 1 });
    else if (e.type === 'order.cancelled' && PAID_STATUSES.has(String(e.payload.previous_status))) {
      orders.push({ id: orderId, sign: -1 });
      cancelled.push(orderId);
    } else if (e.type === 'order.returned' && typeof e.payload.return_id === 'string')
      returns.push({ id: e.payload.return_id, sign: 1 });
  }
  return { orders, cancelled, returns };
}

/**
 * Applies a dispatched batch of order events to the rollups, inside the dispatcher's transaction.
 * Events already applied, or older than the last rebuild, are skipped.
 */
export async function applyOrderEvents(tx: Tx, tz: string, events: PublishedEvent[]): Promise<void> {
  // Only events that change the figures (not an online order's placement, not an unpaid cancel).
  const relevant = events.filter((e) => {
    const c = contributionsOf([e]);
    return c.orders.length > 0 || c.returns.length > 0;
  });
  if (relevant.length === 0) return;
  // Batches run side by side; a rebuild (exclusive) waits for them and they for it.
  await sql`SELECT pg_advisory_xact_lock_shared(hashtext('analytics.rollups'))`.execute(tx);
  const state = (
    await sql<{ watermark: string }>`SELECT watermark::text AS watermark FROM analytics_rollup_state`.execute(tx)
  ).rows[0];
  const watermark = state ? BigInt(state.watermark) : -1n;
  const candidates = relevant.filter((e) => BigInt(e.id) > watermark);
  if (candidates.length === 0) return;
  const fresh = new Set(
    (
      await sql<{ event_id: string }>`
        INSERT INTO analytics_applied_events (event_id)
        SELECT unnest(string_to_array(${candidates.map((e) => e.id).join(',')}, ','))::bigint
        ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text AS event_id`.execute(tx)
    ).rows.map((r) => r.event_id),
  );
  const todo = candidates.filter((e) => fresh.has(e.id));
  if (todo.length === 0) return;
  const c = contributionsOf(todo);
  // A paid order cancelled takes its returns with it (no return can follow a cancellation).
  const returns = [...c.returns, ...(await returnIdsOf(tx, c.cancelled)).map((id) => ({ id, sign: -1 as const }))];
  if (c.orders.length === 0 && returns.length === 0) return;
  await applyScope(tx, tz, { all: false, orders: c.orders, returns });
  await applyCouponOrders(tx, tz, c.orders, returns);
}

/** Forgets applied event ids older than 7 days (an event is never dispatched again that late). */
export async function pruneAppliedEvents(db: Queryable, now = new Date()): Promise<number> {
  const r =
    await sql`DELETE FROM analytics_applied_events WHERE applied_at < ${new Date(now.getTime() - 7 * 86400_000)}`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Recomputes every sales rollup from the orders and returns, in one transaction, and records the
 * outbox watermark (events up to it are in the figures). Run it after an import or a change of
 * SANTONG_TIMEZONE. Events committed while it runs but numbered below the watermark are lost to the
 * rollups: run it when orders are quiet (the CLI) or run it twice.
 */
export async function rebuildSalesRollups(
  database: Database,
  tz: string,
): Promise<{ ms: number; sales_rows: number; sku_rows: number; buyer_rows: number }> {
  const started = Date.now();
  await transact(database, async (tx) => {
    // One rebuild at a time; the dispatcher's batches (shared lock) wait for it.
    await sql`SELECT pg_advisory_xact_lock(hashtext('analytics.rollups'))`.execute(tx);
    const watermark = (await sql<{ w: string }>`SELECT coalesce(max(id), 0)::text AS w FROM outbox`.execute(tx)).rows[0]
      .w;
    await sql`DELETE FROM analytics_sales_daily`.execute(tx);
    await sql`DELETE FROM analytics_sku_daily`.execute(tx);
    await sql`DELETE FROM analytics_buyers_daily`.execute(tx);
    await sql`DELETE FROM analytics_applied_events`.execute(tx);
    await applyScope(tx, tz, { all: true });
    await rebuildCouponRollups(tx, tz);
    await sql`
      INSERT INTO analytics_rollup_state (id, timezone, watermark, rebuilt_at) VALUES (true, ${tz}, ${watermark}, now())
      ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone, watermark = excluded.watermark, rebuilt_at = excluded.rebuilt_at`.execute(
      tx,
    );
  });
  // Fresh statistics and visibility map: the planner's estimates and index-only scans of the buyers.
  await sql`VACUUM ANALYZE analytics_sales_daily, analytics_sku_daily, analytics_buyers_daily`.execute(database.db);
  const count = async (t: string) =>
    Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(t)}`.execute(database.db)).rows[0].n);
  return {
    ms: Date.now() - started,
    sales_rows: await count('analytics_sales_daily'),
    sku_rows: await count('analytics_sku_daily'),
    buyer_rows: await count('analytics_buyers_daily'),
  };
}
