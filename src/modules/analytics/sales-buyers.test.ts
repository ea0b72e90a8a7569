/**
 * Distinct buyers from analytics_buyer_days and SKU and category figures from analytics_sku_day and
 * analytics_category_day (migrations 2070, 2402):
 * random sales, cancellations and returns applied as events in shuffled batches equal a rebuild, and
 * the customers of every grouping and filter agree with count(DISTINCT person) over the orders.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { transact } from '../../platform/db/transaction';
import type { PublishedEvent } from '../../platform/events/outbox';
import { customerRoots } from '../customers/public';
import { NOT_SALE_STATUSES, orderFacts } from '../orders/public';
import { applyOrderEvents, rebuildSalesRollups } from './rollup';

const TZ = 'Asia/Shanghai';
let s: TestServer;
const db = () => s.santong.ctx.database.db;

/** mulberry32: a failure replays from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.ANALYTICS_SEED ?? 20261206);
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const STORES = ['near', 'mid', 'far'];
const PERSONS = ['bx-1', 'bx-2', 'bx-3', 'bx-4', 'bx-5', 'bx-6', 'bx-7', 'bx-8'];
const DAYS = 45; // 2025-05-01 … 2025-06-14 (Shanghai)
let nextEvent = 50_000_000;

function event(type: string, orderId: string, payload: Record<string, unknown>): PublishedEvent {
  return {
    id: String(nextEvent++),
    aggregateType: 'order',
    aggregateId: orderId,
    type,
    payload: { order_id: orderId, ...payload },
    occurredAt: new Date(),
  };
}

async function snapshot(): Promise<string> {
  const rows = async (t: string, order: string) =>
    (await sql.raw(`SELECT * FROM ${t} ORDER BY ${order}`).execute(db())).rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)),
    );
  return JSON.stringify({
    buyerDays: await rows('analytics_buyer_days', 'dims, day, channel, location_id, fulfilment, prev_day'),
    skuDay: await rows('analytics_sku_day', 'day, category, sku'),
    categoryDay: await rows('analytics_category_day', 'day, category'),
  });
}

async function applyShuffled(events: PublishedEvent[]) {
  const shuffled = [...events];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  while (shuffled.length > 0) {
    const batch = shuffled.splice(0, 1 + Math.floor(rand() * 12));
    await transact(s.santong.ctx.database, (tx) => applyOrderEvents(tx, TZ, batch));
  }
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_TIMEZONE: TZ } });
  // Two merged members: bx-7 belongs to bx-1's person, bx-8 to bx-2's (counted once with them).
  for (const id of PERSONS)
    await sql`INSERT INTO customers (id, root_id) VALUES (${id}, ${id === 'bx-7' ? 'bx-1' : id === 'bx-8' ? 'bx-2' : null})`.execute(
      db(),
    );
  await rebuildSalesRollups(s.santong.ctx.database, TZ); // the watermark: the events below are all newer
  const events: PublishedEvent[] = [];
  const paid: string[] = [];
  for (let i = 0; i < 160; i++) {
    const id = `bx-o${i}`;
    const channel = pick(['app', 'mini_program', 'web', 'pos', 'group_buy'] as const);
    const kind = channel === 'pos' ? 'in_store' : pick(['pickup', 'delivery', 'delivery'] as const);
    const location = kind === 'delivery' && rand() < 0.3 ? null : pick(STORES);
    const speed = kind === 'delivery' ? pick(['hour', 'same_day', 'standard']) : null;
    const customer = rand() < 0.85 ? pick(PERSONS) : null;
    const status = channel === 'pos' ? 'completed' : 'paid';
    // any hour of a day; some just before and after midnight in Shanghai
    const at = new Date(Date.UTC(2025, 3, 30, 16) + Math.floor(rand() * DAYS * 24) * 3600_000);
    const sku = pick(['MILK', 'TV', 'CHIPS']);
    const qty = 1 + Math.floor(rand() * 3);
    const price = sku === 'TV' ? 399900 : 1290;
    await sql`INSERT INTO orders (id, channel, customer_id, location_id, fulfillment_type, speed, status, subtotal, discount_total,
        coupon_discount, points_discount, delivery_fee, total, placed_at, paid_at)
      VALUES (${id}, ${channel}, ${customer}, ${location}, ${kind}, ${speed}, ${status}, ${price * qty}, 0, 0, 0, 0,
        ${price * qty}, ${at}, ${at})`.execute(db());
    await sql`INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price, discount, amount, coupon_discount, points_discount)
      VALUES (${id}, 1, ${sku}, ${qty}, ${price}, 0, ${price * qty}, 0, 0)`.execute(db());
    events.push(
      status === 'completed' ? event('order.placed', id, { status: 'completed' }) : event('order.paid', id, {}),
    );
    if (status === 'paid') paid.push(id);
    if (rand() < 0.25) {
      const rid = `bx-r${i}`;
      const back = new Date(at.getTime() + Math.floor(rand() * 72) * 3600_000);
      await sql`INSERT INTO order_returns (id, order_id, location_id, reason, refund_amount, created_at)
        VALUES (${rid}, ${id}, 'near', 'test', ${price}, ${back})`.execute(db());
      await sql`INSERT INTO order_return_lines (return_id, sku, qty, amount) VALUES (${rid}, ${sku}, 1, ${price})`.execute(
        db(),
      );
      events.push(event('order.returned', id, { return_id: rid }));
    }
  }
  // A fifth of the paid orders are cancelled: they leave the figures (their events shuffled in too).
  for (const id of paid.filter(() => rand() < 0.2)) {
    await sql`UPDATE orders SET status = 'cancelled' WHERE id = ${id}`.execute(db());
    events.push(event('order.cancelled', id, { previous_status: 'paid' }));
  }
  await applyShuffled(events);
});
afterAll(async () => s?.close());

describe('buyer slices and the day × SKU and day × category tables', () => {
  it('maintained from shuffled batches of events, equal a rebuild (seed in ANALYTICS_SEED)', async () => {
    const incremental = await snapshot();
    expect(JSON.parse(incremental).buyerDays.length).toBeGreaterThan(100);
    expect(JSON.parse(incremental).categoryDay.length).toBeGreaterThan(10);
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
    expect(await snapshot()).toBe(incremental);
  });

  it('counts each person once per key, for every grouping and filter, as count(DISTINCT) over the orders does', async () => {
    const keyOf: Record<string, string> = {
      day: `to_char(d, 'YYYY-MM-DD')`,
      week: `to_char(date_trunc('week', d), 'YYYY-MM-DD')`,
      month: `to_char(d, 'YYYY-MM')`,
      channel: 'o.channel',
      channel_group: `CASE WHEN o.channel = 'pos' THEN 'store' ELSE 'online' END`,
      location: `coalesce(o.location_id, '')`,
      fulfilment: 'o.fulfilment',
      totals: `''`,
    };
    const ranges = [
      ['2025-05-01', '2025-06-14'],
      ['2025-05-07', '2025-05-20'],
      ['2025-05-13', '2025-06-02'],
      ['2025-05-20', '2025-05-20'],
    ];
    const filters: { channel?: string; location?: string }[] = [{}, { channel: 'app' }, { location: 'near' }];
    filters.push({ channel: 'pos', location: 'mid' });
    let compared = 0;
    for (const [from, to] of ranges)
      for (const f of filters)
        for (const group of Object.keys(keyOf)) {
          const qs = new URLSearchParams({ from, to, limit: '2000' });
          if (group !== 'totals') qs.set('group_by', group);
          if (f.channel) qs.set('channel', f.channel);
          if (f.location) qs.set('location_id', f.location);
          const r = await s.api('GET', `/v1/analytics/sales?${qs}`);
          expect(r.status).toBe(200);
          const want = (
            await sql<{ key: string; n: string }>`
              SELECT ${sql.raw(keyOf[group])} AS key, count(DISTINCT c.root)::text AS n
              FROM (SELECT *, (placed_at AT TIME ZONE ${TZ})::date AS d FROM ${orderFacts} x) o
              JOIN ${customerRoots} c ON c.id = o.customer_id
              WHERE o.status NOT IN (${sql.join([...NOT_SALE_STATUSES])}) AND o.d BETWEEN ${from}::date AND ${to}::date
                ${f.channel ? sql`AND o.channel = ${f.channel}` : sql``}
                ${f.location ? sql`AND o.location_id = ${f.location}` : sql``}
              GROUP BY 1`.execute(db())
          ).rows;
          const wantBy = new Map(want.map((w) => [w.key, Number(w.n)]));
          const got: { key: string; customers: number }[] =
            group === 'totals' ? [{ key: '', customers: r.body.totals.customers }] : r.body.rows;
          for (const row of got) expect(row.customers, `${group} ${row.key} ${qs}`).toBe(wantBy.get(row.key) ?? 0);
          for (const [k, n] of wantBy)
            expect(
              got.find((x) => x.key === k),
              `${group} ${k} ${qs}`,
            ).toMatchObject({ customers: n });
          compared += got.length;
        }
    expect(compared).toBeGreaterThan(500);
  });

  it('by SKU and category without a filter (day × SKU and day × category tables) equal the sum over the channels (finer table)', async () => {
    for (const group of ['sku', 'category']) {
      const plain = await s.api('GET', `/v1/analytics/sales?from=2025-05-01&to=2025-06-14&group_by=${group}`);
      const parts = await Promise.all(
        ['app', 'mini_program', 'web', 'pos', 'group_buy'].map(
          async (ch) =>
            (await s.api('GET', `/v1/analytics/sales?from=2025-05-01&to=2025-06-14&group_by=${group}&channel=${ch}`))
              .body,
        ),
      );
      expect(plain.body.rows.length).toBeGreaterThan(0);
      for (const row of plain.body.rows as { key: string; gross_sales: number; refunds: number; orders: number }[]) {
        const sum = (f: 'gross_sales' | 'refunds' | 'orders') =>
          parts.reduce(
            (t, p: { rows: { key: string; gross_sales: number; refunds: number; orders: number }[] }) =>
              t + (p.rows.find((x) => x.key === row.key)?.[f] ?? 0),
            0,
          );
        expect([row.gross_sales, row.refunds, row.orders]).toEqual([sum('gross_sales'), sum('refunds'), sum('orders')]);
      }
    }
  });
});
