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
import { byteOrder } from '../../platform/db/locks';
import { applyCustomerRollups } from './customer-rollup';
import { freshEvents } from './fresh-events';
import { lockKeys } from './root-locks';
import { applyCouponOrders, rebuildCouponRollups } from './coupon-rollup';
import { rebuildFulfilmentTimings } from './fulfilment-rollup';
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
  // The same lines by day × category × SKU and by day × category only (additive like the rest, so
  // batches commute).
  if (!scope.all) {
    await addDerived(db, 'analytics_sku_day', ['day', 'category', 'sku'], skuRows);
    await addDerived(db, 'analytics_category_day', ['day', 'category'], skuRows);
  }
  const zeroSku = changedSku.rows.filter((r) => r.zero);
  if (zeroSku.length > 0)
    await sql`DELETE FROM analytics_sku_daily t USING json_to_recordset(${JSON.stringify(zeroSku)}::json)
        AS z(day date, channel text, location_id text, fulfilment text, category text, sku text)
      WHERE t.day = z.day AND t.channel = z.channel AND t.location_id = z.location_id AND t.fulfilment = z.fulfilment
        AND t.category = z.category AND t.sku = z.sku AND ${allZero}`.execute(db);

  // The persons whose buyer-days change: their slices (analytics_buyer_days) are recomputed around
  // the change, under a lock per person so that batches touching the same person take turns.
  let roots: string[] = [];
  let before = new Map<string, number>();
  if (!scope.all && scope.orders.length > 0) {
    roots = await affectedRoots(db, tz, orders);
    await lockBuyerRoots(db, roots);
    // A root that changed before the lock was granted (a merge written meanwhile) is locked too.
    for (;;) {
      const locked = new Set(roots);
      const more = (await affectedRoots(db, tz, orders)).filter((r) => !locked.has(r));
      if (more.length === 0) break;
      await lockBuyerRoots(db, more);
      roots = [...roots, ...more].sort(byteOrder);
    }
    before = await buyerDayCounts(db, roots);
  }

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
  if (roots.length > 0) await applyBuyerDayDelta(db, before, await buyerDayCounts(db, roots));
}

/**
 * Adds rows (a sales or SKU rows fragment) summed by `keys` to a derived day table (its key: day
 * then text columns); rows that fall back to zero are deleted.
 */
async function addDerived(
  db: Queryable,
  table: 'analytics_sku_day' | 'analytics_category_day',
  keys: readonly string[],
  rows: RawBuilder<unknown>,
): Promise<void> {
  const cols = sql.join(keys.map((k) => sql.ref(k)));
  const by = sql.raw(keys.map((_, i) => String(i + 1)).join(', '));
  const changed = await sql<Record<string, string | boolean>>`
    INSERT INTO ${sql.table(table)} AS t (${cols}, ${sql.join(MEASURES.map((m) => sql.ref(m)))})
    SELECT ${cols}, ${sumsOf} FROM (${rows}) x GROUP BY ${by} ORDER BY ${by}
    ON CONFLICT (${cols}) DO UPDATE SET ${addExcluded}
    RETURNING (${allZero}) AS zero, ${sql.join(keys.map((k) => (k === 'day' ? sql`day::text AS day` : sql.ref(k))))}`.execute(
    db,
  );
  const zero = changed.rows.filter((r) => r.zero === true).map(({ zero: _, ...k }) => k);
  if (zero.length === 0) return;
  const types = sql.raw(keys.map((k) => `${k} ${k === 'day' ? 'date' : 'text'}`).join(', '));
  const same = sql.join(
    keys.map((k) => sql`t.${sql.ref(k)} = z.${sql.ref(k)}`),
    sql` AND `,
  );
  await sql`DELETE FROM ${sql.table(table)} t USING json_to_recordset(${JSON.stringify(zero)}::json) AS z(${types})
    WHERE ${same} AND ${allZero}`.execute(db);
}

/**
 * The slices of analytics_buyer_days (migration 2070): which dimensions each keeps — channel
 * (0 none, 1 the channel, 2 its group online/store), location, fulfilment.
 */
export const BUYER_SLICES = [
  { dims: '', ch: 0, loc: false, ful: false },
  { dims: 'ch', ch: 1, loc: false, ful: false },
  { dims: 'grp', ch: 2, loc: false, ful: false },
  { dims: 'loc', ch: 0, loc: true, ful: false },
  { dims: 'ful', ch: 0, loc: false, ful: true },
  { dims: 'ch+loc', ch: 1, loc: true, ful: false },
  { dims: 'ch+ful', ch: 1, loc: false, ful: true },
  { dims: 'grp+loc', ch: 2, loc: true, ful: false },
  { dims: 'loc+ful', ch: 0, loc: true, ful: true },
  { dims: 'ch+loc+ful', ch: 1, loc: true, ful: true },
] as const;

/** "No earlier sale" in analytics_buyer_days.prev_day. */
export const NO_PREVIOUS_DAY = '0001-01-01';

/**
 * The rows of analytics_buyer_days that the buyer-days of these persons (all: null) make, for
 * these slices: per slice, each person's sale days with the one before (lag), counted.
 */
function buyerDaysSelect(roots: string[] | null, slices: readonly (typeof BUYER_SLICES)[number][]) {
  const values = sql.join(slices.map((s) => sql`(${s.dims}, ${s.ch}::int, ${s.loc}::boolean, ${s.ful}::boolean)`));
  return sql`
    SELECT dims, day, channel, location_id, fulfilment, prev_day, count(*)::int AS buyers
    FROM (
      SELECT dims, day, channel, location_id, fulfilment,
             coalesce(lag(day) OVER (PARTITION BY dims, root, channel, location_id, fulfilment ORDER BY day),
                      ${NO_PREVIOUS_DAY}::date) AS prev_day
      FROM (
        SELECT DISTINCT s.dims, b.root, b.day,
               CASE s.ch WHEN 1 THEN b.channel WHEN 2 THEN (CASE WHEN b.channel = 'pos' THEN 'store' ELSE 'online' END)
                 ELSE '' END AS channel,
               CASE WHEN s.loc THEN b.location_id ELSE '' END AS location_id,
               CASE WHEN s.ful THEN b.fulfilment ELSE '' END AS fulfilment
        FROM analytics_buyers_daily b CROSS JOIN (VALUES ${values}) AS s(dims, ch, loc, ful)
        WHERE b.orders > 0 ${roots ? sql`AND b.root = ANY(${roots}::text[])` : sql``}
      ) d
    ) p
    GROUP BY dims, day, channel, location_id, fulfilment, prev_day`;
}

/** The persons (roots) whose buyer-days the scope's orders touch: the rows' roots before and after. */
async function affectedRoots(db: Queryable, tz: string, orders: RawBuilder<unknown>): Promise<string[]> {
  const rows = (
    await sql<{ root: string }>`
      SELECT DISTINCT v.root FROM (
        SELECT coalesce(c.root, o.customer_id) AS new_root, b.root AS old_root
        FROM ${orders} s JOIN ${orderFacts} o ON o.id = s.id LEFT JOIN ${customerRoots} c ON c.id = o.customer_id
        LEFT JOIN analytics_buyers_daily b ON b.day = ${day(sql`o.placed_at`, tz)} AND b.customer_id = o.customer_id
          AND b.channel = o.channel AND b.location_id = coalesce(o.location_id, '') AND b.fulfilment = o.fulfilment
        WHERE o.customer_id IS NOT NULL) x
      CROSS JOIN LATERAL (VALUES (x.new_root), (x.old_root)) AS v(root)
      WHERE v.root IS NOT NULL`.execute(db)
  ).rows;
  return rows.map((r) => r.root).sort(byteOrder);
}

/**
 * Advisory locks `analytics.buyer:<root>`, in byte order, in one statement. Taken only here, last in
 * the dispatcher's transaction (after them it writes only rollup rows), so they need no rank.
 */
async function lockBuyerRoots(db: Queryable, roots: string[]): Promise<void> {
  await lockKeys(
    db,
    roots.map((r) => `analytics.buyer:${r}`),
  );
}

type BuyerDayRow = {
  dims: string;
  day: string;
  channel: string;
  location_id: string;
  fulfilment: string;
  prev_day: string;
  buyers: number;
};

async function buyerDayCounts(db: Queryable, roots: string[]): Promise<Map<string, number>> {
  const rows = (
    await sql<BuyerDayRow>`
      SELECT dims, day::text AS day, channel, location_id, fulfilment, prev_day::text AS prev_day, buyers
      FROM (${buyerDaysSelect(roots, BUYER_SLICES)}) x`.execute(db)
  ).rows;
  return new Map(
    rows.map((r) => [JSON.stringify([r.dims, r.day, r.channel, r.location_id, r.fulfilment, r.prev_day]), r.buyers]),
  );
}

/** Adds after − before to analytics_buyer_days (additive: batches of other persons commute with it). */
async function applyBuyerDayDelta(db: Queryable, before: Map<string, number>, after: Map<string, number>) {
  const delta = new Map(after);
  for (const [k, n] of before) delta.set(k, (delta.get(k) ?? 0) - n);
  const rows = [...delta]
    .filter(([, n]) => n !== 0)
    .map(([k, n]) => {
      const [dims, day, channel, location_id, fulfilment, prev_day] = JSON.parse(k) as string[];
      return { dims, day, channel, location_id, fulfilment, prev_day, buyers: n };
    });
  if (rows.length === 0) return;
  const changed = await sql<BuyerDayRow>`
    INSERT INTO analytics_buyer_days AS t (dims, day, channel, location_id, fulfilment, prev_day, buyers)
    SELECT dims, day, channel, location_id, fulfilment, prev_day, buyers
    FROM json_to_recordset(${JSON.stringify(rows)}::json)
      AS z(dims text, day date, channel text, location_id text, fulfilment text, prev_day date, buyers int)
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (dims, day, channel, location_id, fulfilment, prev_day) DO UPDATE SET buyers = t.buyers + excluded.buyers
    RETURNING dims, day::text AS day, channel, location_id, fulfilment, prev_day::text AS prev_day, buyers`.execute(db);
  const gone = changed.rows.filter((r) => Number(r.buyers) === 0);
  if (gone.length > 0)
    await sql`DELETE FROM analytics_buyer_days t USING json_to_recordset(${JSON.stringify(gone)}::json)
        AS z(dims text, day date, channel text, location_id text, fulfilment text, prev_day date)
      WHERE t.dims = z.dims AND t.day = z.day AND t.channel = z.channel AND t.location_id = z.location_id
        AND t.fulfilment = z.fulfilment AND t.prev_day = z.prev_day AND t.buyers = 0`.execute(db);
}

/**
 * Recomputes the rollups derived from the others (analytics_sku_day, analytics_category_day,
 * analytics_buyer_days): the rebuild. Rows are written in key order (day first), so that a report's
 * range of days is a run of adjacent pages; incremental rows are appended, and they are recent days
 * (migration 2401).
 */
async function deriveAll(db: Queryable): Promise<void> {
  await sql`DELETE FROM analytics_sku_day`.execute(db);
  await sql`
    INSERT INTO analytics_sku_day (day, category, sku, ${sql.join(MEASURES.map((m) => sql.ref(m)))})
    SELECT day, category, sku, ${sumsOf} FROM analytics_sku_daily GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  await sql`DELETE FROM analytics_category_day`.execute(db);
  await sql`
    INSERT INTO analytics_category_day (day, category, ${sql.join(MEASURES.map((m) => sql.ref(m)))})
    SELECT day, category, ${sumsOf} FROM analytics_sku_day GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  await sql`DELETE FROM analytics_buyer_days`.execute(db);
  // One slice per statement: each sorts the buyer-days once. Written in key order, so that a range
  // of days is a run of adjacent pages (a report reads a few hundred, not pages all over the table).
  for (const s of BUYER_SLICES)
    await sql`
      INSERT INTO analytics_buyer_days (dims, day, channel, location_id, fulfilment, prev_day, buyers)
      SELECT * FROM (${buyerDaysSelect(null, [s])}) x ORDER BY 1, 2, 3, 4, 5, 6`.execute(db);
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
  const todo = await freshEvents(tx, 'analytics_applied_events', relevant);
  if (todo.length === 0) return;
  const c = contributionsOf(todo);
  // A paid order cancelled takes its returns with it (no return can follow a cancellation).
  const returns = [...c.returns, ...(await returnIdsOf(tx, c.cancelled)).map((id) => ({ id, sign: -1 as const }))];
  if (c.orders.length === 0 && returns.length === 0) return;
  await applyScope(tx, tz, { all: false, orders: c.orders, returns });
  await applyCustomerRollups(
    tx,
    tz,
    c.orders,
    orderScope({ all: false, orders: c.orders, returns }),
    returnScope({ all: false, orders: c.orders, returns }),
  );
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
): Promise<{
  ms: number;
  sales_rows: number;
  sku_rows: number;
  buyer_rows: number;
  sku_day_rows: number;
  buyer_day_rows: number;
  fulfilment_timing_rows: number;
}> {
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
    await deriveAll(tx);
    await applyCustomerRollups(tx, tz, null, orderScope({ all: true }), returnScope({ all: true }));
    await rebuildCouponRollups(tx, tz);
    await rebuildFulfilmentTimings(tx, tz);
    await sql`
      INSERT INTO analytics_rollup_state (id, timezone, watermark, rebuilt_at) VALUES (true, ${tz}, ${watermark}, now())
      ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone, watermark = excluded.watermark, rebuilt_at = excluded.rebuilt_at`.execute(
      tx,
    );
  });
  // Fresh statistics and visibility map: the planner's estimates and index-only scans of the buyers.
  await sql`VACUUM ANALYZE analytics_sales_daily, analytics_sku_daily, analytics_buyers_daily, analytics_sku_day, analytics_category_day,
    analytics_buyer_days, analytics_customer_daily, analytics_customer_firsts, analytics_fulfilment_timings,
    analytics_customer_steps, analytics_customer_day_sums, analytics_cohort_days, analytics_customer_cross_days`.execute(
    database.db,
  );
  const count = async (t: string) =>
    Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(t)}`.execute(database.db)).rows[0].n);
  return {
    ms: Date.now() - started,
    sales_rows: await count('analytics_sales_daily'),
    sku_rows: await count('analytics_sku_daily'),
    buyer_rows: await count('analytics_buyers_daily'),
    sku_day_rows: await count('analytics_sku_day'),
    buyer_day_rows: await count('analytics_buyer_days'),
    fulfilment_timing_rows: await count('analytics_fulfilment_timings'),
  };
}
