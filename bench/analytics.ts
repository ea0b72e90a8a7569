/**
 * Sales figures from the rollups against the same figures summed from the raw orders (issue 14),
 * on a database given by --db (e.g. the 1 M-customer demo). For ranges of 7, 90 and 365 days
 * ending on the last day with orders: p50/p99 of the sales report (salesReport, what
 * GET /v1/analytics/sales runs, without HTTP) by day, channel, location and SKU, and of the raw
 * sum (totals + per day, through orders/public.ts) with the same figures; ratio = raw p50 ÷ rollup p50.
 * Then, where the customer rollups exist (migration 2010), the customers report (by week and by
 * month), cohorts, coupon ROI, the stores' league table and the busiest till's scorecard, and buyers
 * / new buyers counted from the raw orders; then inventory health (fixed 28/60-day windows), for the
 * chain and for the busiest store. `--sections` picks some of: sales, customers, inventory.
 * It only reads, unless --rebuild: then it applies the migrations and rebuilds the rollups once first.
 *
 * Usage: npx tsx bench/analytics.ts --db URL [--rounds 30] [--raw-rounds 3] [--rebuild] [--timezone Asia/Shanghai]
 *          [--sections sales,customers,inventory]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { rebuildSalesRollups } from '../src/modules/analytics/rollup';
import { salesReport, type GroupBy } from '../src/modules/analytics/sales';
import { NOT_SALE_STATUSES, orderFacts, orderLineFacts, returnLineFacts } from '../src/modules/orders/public';
import { fmt, positiveInt, summarise } from './stats';
import { customerReport } from '../src/modules/analytics/customers';
import { cohortReport } from '../src/modules/analytics/cohorts';
import { storeLeague, storeScorecard } from '../src/modules/analytics/stores';
import { customerRoots } from '../src/modules/customers/public';
import { couponReport } from '../src/modules/analytics/coupons';
import { inventoryHealth } from '../src/modules/analytics/inventory';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    rounds: { type: 'string', default: '30' },
    'raw-rounds': { type: 'string', default: '3' },
    rebuild: { type: 'boolean', default: false },
    timezone: { type: 'string', default: process.env.SANTONG_TIMEZONE ?? 'Asia/Shanghai' },
    sections: { type: 'string', default: 'sales,customers,inventory' },
  },
});
const sections = new Set(args.sections!.split(','));
if (!args.db) throw new Error('--db URL is required');
const tz = args.timezone!;
const rounds = positiveInt(args.rounds, 'rounds');
const rawRounds = positiveInt(args['raw-rounds'], 'raw-rounds');
const database = await openDatabase({ databaseUrl: args.db, dataDir: '', poolSize: 2 });
const db = database.db;

async function timed(n: number, f: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

/** Totals and per-day figures straight from the orders, as the rollups define them. */
async function raw(from: string, to: string) {
  const inRange = (col: ReturnType<typeof sql>) =>
    sql`${col} >= (${from}::date::timestamp AT TIME ZONE ${tz}) AND ${col} < ((${to}::date + 1)::timestamp AT TIME ZONE ${tz})`;
  const sale = sql`(SELECT * FROM ${orderFacts} x WHERE x.status NOT IN (${sql.join([...NOT_SALE_STATUSES])}))`;
  return (
    await sql<{ day: string | null }>`
      SELECT day, sum(gross) AS gross, sum(coupons) AS coupons, sum(points) AS points, sum(refunds) AS refunds,
             sum(orders) AS orders, sum(units) AS units, count(DISTINCT customer) AS customers
      FROM (
        SELECT (o.placed_at AT TIME ZONE ${tz})::date AS day, l.amount + l.coupon_discount + l.points_discount AS gross,
               l.coupon_discount AS coupons, l.points_discount AS points, 0 AS refunds, 0 AS orders, l.qty AS units, NULL AS customer
        FROM ${sale} o JOIN ${orderLineFacts} l ON l.order_id = o.id WHERE ${inRange(sql`o.placed_at`)}
        UNION ALL
        SELECT (o.placed_at AT TIME ZONE ${tz})::date, 0, 0, 0, 0, 1, 0, o.customer_id FROM ${sale} o WHERE ${inRange(sql`o.placed_at`)}
        UNION ALL
        SELECT (r.created_at AT TIME ZONE ${tz})::date, 0, 0, 0, r.amount, 0, -r.qty, NULL
        FROM ${sale} o JOIN ${returnLineFacts} r ON r.order_id = o.id WHERE ${inRange(sql`r.created_at`)}
      ) x GROUP BY GROUPING SETS ((day), ())`.execute(db)
  ).rows;
}

try {
  if (args.rebuild) {
    await migrate(database);
    const r = await rebuildSalesRollups(database, tz);
    console.log(`rebuild: ${JSON.stringify(r)}`);
  }
  const counts = (
    await sql<{ orders: string; last: string }>`
      SELECT (SELECT count(*) FROM ${orderFacts} o)::text AS orders,
             (SELECT to_char((max(placed_at) AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') FROM ${orderFacts} o) AS last`.execute(
      db,
    )
  ).rows[0];
  const rollupRows = (
    await sql<{ sales: string; sku: string; buyers: string; sku_day: string; buyer_days: string }>`
      SELECT (SELECT count(*) FROM analytics_sales_daily)::text AS sales, (SELECT count(*) FROM analytics_sku_daily)::text AS sku,
             (SELECT count(*) FROM analytics_buyers_daily)::text AS buyers, (SELECT count(*) FROM analytics_sku_day)::text AS sku_day,
             (SELECT count(*) FROM analytics_buyer_days)::text AS buyer_days`.execute(db)
  ).rows[0];
  console.log(`orders: ${counts.orders}, last day ${counts.last}; rollup rows ${JSON.stringify(rollupRows)}`);
  const last = new Date(`${counts.last}T00:00:00Z`);
  const results: Record<string, unknown>[] = [];
  const settings = { timezone: tz, currency: 'CNY' };
  for (const days of sections.has('sales') ? [7, 90, 365] : []) {
    const from = new Date(last.getTime() - (days - 1) * 86400_000).toISOString().slice(0, 10);
    const to = counts.last;
    // The busiest store, for the store-filtered figures (the console's store filter).
    const store = (
      await sql<{ key: string }>`
        SELECT location_id AS key FROM analytics_sales_daily WHERE channel = 'pos' GROUP BY 1 ORDER BY sum(orders) DESC LIMIT 1`.execute(
        db,
      )
    ).rows[0]?.key;
    const cases: { label: string; q: { group_by: GroupBy; location_id?: string; compare?: 'previous_period' } }[] = [
      { label: 'day', q: { group_by: 'day' } },
      { label: 'day+compare', q: { group_by: 'day', compare: 'previous_period' } },
      { label: 'channel', q: { group_by: 'channel' } },
      { label: 'location', q: { group_by: 'location' } },
      { label: 'fulfilment', q: { group_by: 'fulfilment' } },
      { label: 'sku', q: { group_by: 'sku' } },
      { label: 'category', q: { group_by: 'category' } },
      ...(store ? [{ label: 'day, one store', q: { group_by: 'day' as GroupBy, location_id: store } }] : []),
      ...(store ? [{ label: 'sku, one store', q: { group_by: 'sku' as GroupBy, location_id: store } }] : []),
    ];
    for (const c of cases) {
      await salesReport(db, settings, { from, to, ...c.q }); // warm
      const s = summarise(await timed(rounds, () => salesReport(db, settings, { from, to, ...c.q })));
      results.push({ days, endpoint: `sales ${c.label}`, p50_ms: fmt(s.p50), p99_ms: fmt(s.p99) });
    }
    // The same figures (totals and by day) from the raw orders, checked equal to the rollups'.
    const viaRollup = await salesReport(db, settings, { from, to, group_by: 'day' });
    const r = summarise(await timed(rawRounds, () => raw(from, to)));
    const rows = await raw(from, to);
    const total = rows.find((x) => x.day === null) as unknown as {
      gross: string;
      refunds: string;
      orders: string;
      customers: string;
    };
    // gross, refunds and orders must agree; raw customers count customer ids, the rollups One ID roots
    const agree =
      Number(total?.gross ?? 0) === viaRollup.totals.gross_sales &&
      Number(total?.refunds ?? 0) === viaRollup.totals.refunds &&
      Number(total?.orders ?? 0) === viaRollup.totals.orders;
    const rollupDay = results.find((x) => x.days === days && x.endpoint === 'sales day') as { p50_ms: string };
    results.push({
      days,
      endpoint: 'raw orders (totals + by day)',
      p50_ms: fmt(r.p50),
      p99_ms: fmt(r.p99),
      ratio_raw_to_rollup: fmt(r.p50 / Number(rollupDay.p50_ms), 1),
      figures_agree: agree,
      customers_raw_ids: Number(total?.customers ?? 0),
      customers_rollup_roots: viaRollup.totals.customers,
    });
  }
  // Customers, cohorts and stores (customer rollups + fulfilment timings), when this database has them.
  const hasCustomerRollups =
    (await sql<{ t: string | null }>`SELECT to_regclass('analytics_customer_firsts')::text AS t`.execute(db)).rows[0]
      .t !== null;
  if (hasCustomerRollups && sections.has('customers')) {
    const store = (
      await sql<{ id: string }>`SELECT location_id AS id FROM analytics_sales_daily WHERE channel = 'pos'
        GROUP BY 1 ORDER BY sum(orders) DESC LIMIT 1`.execute(db)
    ).rows[0]?.id;
    for (const days of [7, 90, 365]) {
      const from = new Date(last.getTime() - (days - 1) * 86400_000).toISOString().slice(0, 10);
      const to = counts.last;
      const runs: [string, () => Promise<unknown>][] = [
        ['customers group_by=week', () => customerReport(db, tz, { from, to, group_by: 'week' })],
        ['customers group_by=month', () => customerReport(db, tz, { from, to, group_by: 'month' })],
        ['cohorts period=month', () => cohortReport(db, { from, to, period: 'month' })],
        ['coupons', () => couponReport(db, settings, { from, to })],
        ['stores (league table)', () => storeLeague(db, tz, { from, to })],
      ];
      if (store) runs.push([`stores/${store}/scorecard`, () => storeScorecard(db, tz, store, { from, to })]);
      for (const [endpoint, f] of runs) {
        await f(); // warm
        const s = summarise(await timed(rounds, f));
        results.push({ days, endpoint, p50_ms: fmt(s.p50), p99_ms: fmt(s.p99) });
      }
      // Buyers and new buyers of the range straight from the orders (by One ID root), checked equal.
      const sale = sql`(SELECT * FROM ${orderFacts} x WHERE x.status NOT IN (${sql.join([...NOT_SALE_STATUSES])}) AND x.customer_id IS NOT NULL)`;
      const direct = async () =>
        (
          await sql<{ buyers: string; new: string }>`
            WITH b AS (SELECT DISTINCT coalesce(c.root, o.customer_id) AS root FROM ${sale} o
                       LEFT JOIN ${customerRoots} c ON c.id = o.customer_id
                       WHERE o.placed_at >= (${from}::date::timestamp AT TIME ZONE ${tz})
                         AND o.placed_at < ((${to}::date + 1)::timestamp AT TIME ZONE ${tz}))
            SELECT (SELECT count(*) FROM b)::text AS buyers,
                   (SELECT count(*) FROM b WHERE NOT EXISTS (
                      SELECT 1 FROM ${sale} p LEFT JOIN ${customerRoots} c ON c.id = p.customer_id
                      WHERE coalesce(c.root, p.customer_id) = b.root
                        AND p.placed_at < (${from}::date::timestamp AT TIME ZONE ${tz})))::text AS new`.execute(db)
        ).rows[0];
      const r = summarise(await timed(rawRounds, direct));
      const want = await direct();
      const got = await customerReport(db, tz, { from, to, group_by: 'week' });
      const viaRollup = results.find((x) => x.days === days && x.endpoint === 'customers group_by=week') as {
        p50_ms: string;
      };
      results.push({
        days,
        endpoint: 'raw orders (buyers, new buyers)',
        p50_ms: fmt(r.p50),
        p99_ms: fmt(r.p99),
        ratio_raw_to_rollup: fmt(r.p50 / Number(viaRollup.p50_ms), 1),
        figures_agree: Number(want.buyers) === got.totals.buyers && Number(want.new) === got.totals.new,
      });
    }
  } else if (sections.has('customers'))
    console.log('no customer rollups (migration 2010) in this database: customers, cohorts and stores skipped');
  // Inventory health has no range: the last 28 and 60 days before the last day with orders.
  if (sections.has('inventory')) {
    const store = (
      await sql<{ id: string }>`SELECT location_id AS id FROM analytics_sales_daily WHERE channel = 'pos'
        GROUP BY 1 ORDER BY sum(orders) DESC LIMIT 1`.execute(db)
    ).rows[0]?.id;
    const runs: [string, string | null][] = [['inventory (chain)', null]];
    if (store) runs.push([`inventory location_id=${store}`, store]);
    for (const [endpoint, location_id] of runs) {
      const f = () => inventoryHealth(db, settings, { location_id, today: counts.last });
      await f(); // warm
      const s = summarise(await timed(rounds, f));
      results.push({ days: '28/60', endpoint, p50_ms: fmt(s.p50), p99_ms: fmt(s.p99) });
    }
  }
  console.table(results);
  console.log(JSON.stringify({ load1: os.loadavg()[0].toFixed(1), results }));
} finally {
  await database.close();
}
