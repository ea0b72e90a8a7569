import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { transact } from '../../platform/db/transaction';
import type { PublishedEvent } from '../../platform/events/outbox';
import { NOT_SALE_STATUSES, orderFacts, orderLineFacts, returnLineFacts } from '../orders/public';
import { applyOrderEvents, rebuildSalesRollups } from './rollup';
import { rng } from '../../../test/fixtures/random';

const TZ = 'Asia/Shanghai';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_TIMEZONE: TZ } });
  const stock = { MILK: 500, TV: 500, CHIPS: 500 };
  await setupGoods(s, { dc1: stock, near: stock, mid: stock, far: stock });
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;

// ---------------------------------------------------------------------------------------------
// A hand-built history in March 2025 (Shanghai, UTC+8), written as the orders module stores it.

interface FixtureOrder {
  id: string;
  channel: string;
  type: 'delivery' | 'pickup' | 'in_store';
  speed?: string;
  location: string | null;
  status: string;
  customer: string | null;
  at: string; // UTC
  fee?: number;
  lines: { sku: string; qty: number; price: number; coupon?: number; points?: number }[];
}

async function insertOrder(o: FixtureOrder): Promise<void> {
  const lines = o.lines.map((l, i) => {
    const coupon = l.coupon ?? 0;
    const points = l.points ?? 0;
    return { ...l, line_no: i + 1, coupon, points, amount: l.price * l.qty - coupon - points };
  });
  const subtotal = lines.reduce((t, l) => t + l.price * l.qty, 0);
  const discount = lines.reduce((t, l) => t + l.coupon + l.points, 0);
  await sql`INSERT INTO orders (id, channel, customer_id, location_id, fulfillment_type, speed, status, subtotal, discount_total,
      coupon_discount, points_discount, delivery_fee, total, placed_at, paid_at)
    VALUES (${o.id}, ${o.channel}, ${o.customer}, ${o.location}, ${o.type}, ${o.speed ?? null}, ${o.status}, ${subtotal}, ${discount},
      ${lines.reduce((t, l) => t + l.coupon, 0)}, ${lines.reduce((t, l) => t + l.points, 0)}, ${o.fee ?? 0},
      ${subtotal - discount + (o.fee ?? 0)}, ${o.at}, ${o.status === 'pending_payment' || o.status === 'expired' ? null : o.at})`.execute(
    db(),
  );
  for (const l of lines)
    await sql`INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price, discount, amount, coupon_discount, points_discount)
      VALUES (${o.id}, ${l.line_no}, ${l.sku}, ${l.qty}, ${l.price}, ${l.coupon + l.points}, ${l.amount}, ${l.coupon}, ${l.points})`.execute(
      db(),
    );
}

async function insertReturn(id: string, orderId: string, at: string, sku: string, qty: number, amount: number) {
  await sql`INSERT INTO order_returns (id, order_id, location_id, reason, refund_amount, created_at)
    VALUES (${id}, ${orderId}, 'near', 'fixture', ${amount}, ${at})`.execute(db());
  await sql`INSERT INTO order_return_lines (return_id, sku, qty, amount) VALUES (${id}, ${sku}, ${qty}, ${amount})`.execute(
    db(),
  );
  await sql`UPDATE orders SET refunded_total = refunded_total + ${amount} WHERE id = ${orderId}`.execute(db());
}

const FIXTURE: FixtureOrder[] = [
  // 10 March: app pickup at near, paid, member c1, with a coupon and points on the milk
  {
    id: 'fx-a',
    channel: 'app',
    type: 'pickup',
    location: 'near',
    status: 'paid',
    customer: 'fx-c1',
    at: '2025-03-10T02:00:00Z',
    lines: [
      { sku: 'MILK', qty: 2, price: 1290, coupon: 200, points: 100 },
      { sku: 'CHIPS', qty: 1, price: 999 },
    ],
  },
  // 10 March: the same member at the mid store's till
  {
    id: 'fx-b',
    channel: 'pos',
    type: 'in_store',
    location: 'mid',
    status: 'completed',
    customer: 'fx-c1',
    at: '2025-03-10T12:00:00Z',
    lines: [{ sku: 'TV', qty: 1, price: 399900 }],
  },
  // paid then cancelled: not a sale
  {
    id: 'fx-c',
    channel: 'web',
    type: 'delivery',
    speed: 'hour',
    location: 'near',
    status: 'cancelled',
    customer: 'fx-c3',
    at: '2025-03-10T03:00:00Z',
    lines: [{ sku: 'MILK', qty: 5, price: 1290 }],
  },
  // awaiting payment, and expired: not sales
  {
    id: 'fx-d',
    channel: 'app',
    type: 'delivery',
    speed: 'same_day',
    location: 'near',
    status: 'pending_payment',
    customer: 'fx-c3',
    at: '2025-03-10T04:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 1, price: 999 }],
  },
  {
    id: 'fx-g',
    channel: 'app',
    type: 'pickup',
    location: 'far',
    status: 'expired',
    customer: null,
    at: '2025-03-10T05:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 2, price: 999 }],
  },
  // 23:30 in Shanghai on the 10th (15:30 UTC): a guest's standard parcel split across stores, points, a delivery fee
  {
    id: 'fx-e',
    channel: 'mini_program',
    type: 'delivery',
    speed: 'standard',
    location: null,
    status: 'completed',
    customer: null,
    at: '2025-03-10T15:30:00Z',
    fee: 800,
    lines: [{ sku: 'CHIPS', qty: 3, price: 999, points: 300 }],
  },
  // 00:10 in Shanghai on the 11th (16:10 UTC on the 10th)
  {
    id: 'fx-f',
    channel: 'pos',
    type: 'in_store',
    location: 'near',
    status: 'completed',
    customer: 'fx-c2',
    at: '2025-03-10T16:10:00Z',
    lines: [{ sku: 'MILK', qty: 1, price: 1290 }],
  },
];

type Fig = {
  gross_sales: number;
  discounts: { coupons: number; points: number };
  refunds: number;
  net_sales: number;
  orders: number;
  units: number;
  customers: number;
  aov: number;
};
const fig = (
  gross: number,
  coupons: number,
  points: number,
  refunds: number,
  orders: number,
  units: number,
  customers: number,
): Fig => ({
  gross_sales: gross,
  discounts: { coupons, points },
  refunds,
  net_sales: gross - coupons - points - refunds,
  orders,
  units,
  customers,
  aov: orders ? Math.round((gross - coupons - points) / orders) : 0,
});

async function sales(query: string) {
  return must(s, 'GET', `/v1/analytics/sales?${query}`);
}

describe('sales figures: the definitions on a hand-built history, to the fen', () => {
  beforeAll(async () => {
    for (const o of FIXTURE) await insertOrder(o);
    // half the milk of order a comes back on the 12th: 2280 / 2 refunded
    await insertReturn('fx-r1', 'fx-a', '2025-03-12T03:00:00Z', 'MILK', 1, 1140);
    // the cancelled order had a return before it was cancelled: gone with it
    await insertReturn('fx-r2', 'fx-c', '2025-03-10T04:00:00Z', 'MILK', 1, 1290);
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
  });

  it('adds up by day in the retailer’s time zone; refunds and returned units on the day of the return', async () => {
    const r = await sales('from=2025-03-10&to=2025-03-12&group_by=day');
    expect(r.currency).toBe('CNY');
    expect(r.timezone).toBe(TZ);
    expect(r.rows.map((x: { key: string }) => x.key)).toEqual(['2025-03-10', '2025-03-11', '2025-03-12']);
    // 10th: a (3579, coupon 200, points 100), b (399900), e (2997, points 300); member c1 twice, e a guest
    expect(r.rows[0]).toEqual({ key: '2025-03-10', ...fig(406476, 200, 400, 0, 3, 7, 1) });
    expect(r.rows[1]).toEqual({ key: '2025-03-11', ...fig(1290, 0, 0, 0, 1, 1, 1) });
    expect(r.rows[2]).toEqual({ key: '2025-03-12', ...fig(0, 0, 0, 1140, 0, -1, 0) });
    expect(r.totals).toEqual(fig(407766, 200, 400, 1140, 4, 7, 2));
    expect(r.totals.aov).toBe(101792); // (407766 − 600) / 4 = 101791.5, rounded
    expect(r.totals.net_sales).toBe(406026);
  });

  it('by channel, channel group, store and fulfilment kind', async () => {
    const ch = await sales('from=2025-03-10&to=2025-03-12&group_by=channel');
    expect(ch.rows).toEqual([
      { key: 'pos', ...fig(401190, 0, 0, 0, 2, 2, 2) },
      { key: 'mini_program', ...fig(2997, 0, 300, 0, 1, 3, 0) },
      { key: 'app', ...fig(3579, 200, 100, 1140, 1, 2, 1) },
    ]);
    const grp = await sales('from=2025-03-10&to=2025-03-12&group_by=channel_group');
    expect(grp.rows).toEqual([
      { key: 'store', ...fig(401190, 0, 0, 0, 2, 2, 2) },
      { key: 'online', ...fig(6576, 200, 400, 1140, 2, 5, 1) },
    ]);
    const loc = await sales('from=2025-03-10&to=2025-03-12&group_by=location');
    expect(loc.rows).toEqual([
      { key: 'mid', ...fig(399900, 0, 0, 0, 1, 1, 1) },
      { key: 'near', ...fig(4869, 200, 100, 1140, 2, 3, 2) },
      { key: '', ...fig(2997, 0, 300, 0, 1, 3, 0) },
    ]);
    const ful = await sales('from=2025-03-10&to=2025-03-12&group_by=fulfilment');
    expect(ful.rows).toEqual([
      { key: 'in_store', ...fig(401190, 0, 0, 0, 2, 2, 2) },
      { key: 'standard', ...fig(2997, 0, 300, 0, 1, 3, 0) },
      { key: 'pickup', ...fig(3579, 200, 100, 1140, 1, 2, 1) },
    ]);
  });

  it('by category and SKU (orders holding it; customers = its identified orders)', async () => {
    const cat = await sales('from=2025-03-10&to=2025-03-12&group_by=category');
    expect(cat.rows).toEqual([
      { key: 'appliances', ...fig(399900, 0, 0, 0, 1, 1, 1) },
      { key: 'snacks', ...fig(3996, 0, 300, 0, 2, 4, 1) },
      { key: 'fresh', ...fig(3870, 200, 100, 1140, 2, 2, 2) },
    ]);
    const sku = await sales('from=2025-03-10&to=2025-03-12&group_by=sku&limit=1');
    expect(sku.rows).toEqual([{ key: 'TV', ...fig(399900, 0, 0, 0, 1, 1, 1) }]);
  });

  it('filters by channel and store, and compares with the previous period and year', async () => {
    const near = await sales('from=2025-03-10&to=2025-03-12&location_id=near&group_by=month');
    expect(near.totals).toEqual(fig(4869, 200, 100, 1140, 2, 3, 2));
    expect(near.rows).toEqual([{ key: '2025-03', ...near.totals }]);
    const pos = await sales('from=2025-03-11&to=2025-03-11&channel=pos');
    expect(pos.totals).toEqual(fig(1290, 0, 0, 0, 1, 1, 1));
    const cmp = await sales('from=2025-03-13&to=2025-03-15&compare=previous_period&group_by=week');
    expect(cmp.totals).toEqual(fig(0, 0, 0, 0, 0, 0, 0));
    expect(cmp.compare.from).toBe('2025-03-10');
    expect(cmp.compare.to).toBe('2025-03-12');
    expect(cmp.compare.totals).toEqual(fig(407766, 200, 400, 1140, 4, 7, 2));
    expect(cmp.compare.rows.map((x: { key: string }) => x.key)).toEqual(['2025-03-10']); // the Monday
    const yr = await sales('from=2026-03-10&to=2026-03-12&compare=previous_year');
    expect([yr.compare.from, yr.compare.to]).toEqual(['2025-03-10', '2025-03-12']);
    expect(yr.compare.totals).toEqual(fig(407766, 200, 400, 1140, 4, 7, 2));
  });

  it('store staff see their own store only', async () => {
    const key = await s.keyFor('store_staff', { location_id: 'mid' });
    const r = await s.api('GET', '/v1/analytics/sales?from=2025-03-10&to=2025-03-12&location_id=near', undefined, {
      key,
    });
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual(fig(399900, 0, 0, 0, 1, 1, 1));
  });

  it('sends the rows as CSV', async () => {
    const r = await s.api('GET', '/v1/analytics/sales?from=2025-03-10&to=2025-03-12&group_by=channel', undefined, {
      headers: { accept: 'text/csv' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(String(r.body).trim().split('\n')).toEqual([
      'key,gross_sales,coupons,points,refunds,net_sales,orders,units,customers,aov',
      'pos,401190,0,0,0,401190,2,2,2,200595',
      'mini_program,2997,0,300,0,2697,1,3,0,2697',
      'app,3579,200,100,1140,2139,1,2,1,3279',
    ]);
  });

  it('answers 400 naming the field for a bad date or a range over 3 years', async () => {
    const bad = async (q: string, field: string) => {
      const r = await s.api('GET', `/v1/analytics/sales?${q}`);
      expect(r.status, q).toBe(400);
      expect(JSON.stringify(r.body), q).toContain(field);
    };
    await bad('from=2025-02-30&to=2025-03-01', 'from');
    await bad('from=2025-03-01&to=2025-13-01', 'to');
    await bad('from=2025-03-10&to=2025-03-09', 'to');
    await bad('from=2022-03-10&to=2025-03-10', 'to');
    await bad('from=20250310&to=2025-03-10', 'from');
    await bad('to=2025-03-10', 'from');
    await bad('from=2025-03-10&to=2025-03-10&group_by=year', 'group_by');
    expect((await s.api('GET', '/v1/analytics/sales?from=2022-03-11&to=2025-03-10')).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Random orders and returns through the API, the rollups maintained from their events.

async function snapshot(): Promise<string> {
  const rows = async (t: string, order: string) =>
    (await sql.raw(`SELECT * FROM ${t} ORDER BY ${order}`).execute(db())).rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)),
    );
  return JSON.stringify({
    sales: await rows('analytics_sales_daily', 'day, channel, location_id, fulfilment'),
    sku: await rows('analytics_sku_daily', 'day, channel, location_id, fulfilment, category, sku'),
    buyers: await rows('analytics_buyers_daily', 'day, customer_id, channel, location_id, fulfilment'),
  });
}

async function drain() {
  for (let i = 0; i < 50; i++) if ((await s.santong.ctx.dispatcher.runOnce()).fannedOut === 0) return;
}

async function outboxEvents(): Promise<PublishedEvent[]> {
  const rows = (
    await sql<{
      id: string;
      aggregate_type: string;
      aggregate_id: string;
      type: string;
      payload: Record<string, unknown>;
      occurred_at: Date;
    }>`SELECT id::text AS id, aggregate_type, aggregate_id, type, payload, occurred_at FROM outbox WHERE type LIKE 'order.%' ORDER BY id`.execute(
      db(),
    )
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    type: r.type,
    payload: r.payload,
    occurredAt: r.occurred_at,
  }));
}

/** The figures straight from the orders (what the rollups must agree with), by a key of the order or the day. */
async function direct(key: 'channel' | 'location' | 'fulfilment' | 'day', from: string, to: string) {
  const k = (o: string, dayCol: RawBuilder<unknown>) =>
    key === 'day'
      ? sql`to_char((${dayCol} AT TIME ZONE ${TZ})::date, 'YYYY-MM-DD')`
      : key === 'location'
        ? sql`coalesce(${sql.ref(`${o}.location_id`)}, '')`
        : sql.ref(`${o}.${key}`);
  const inRange = (col: RawBuilder<unknown>) =>
    sql`(${col} AT TIME ZONE ${TZ})::date BETWEEN ${from}::date AND ${to}::date`;
  const sale = sql`(SELECT * FROM ${orderFacts} x WHERE x.status NOT IN (${sql.join([...NOT_SALE_STATUSES])}))`;
  const rows = (
    await sql<{
      key: string;
      gross: string;
      coupons: string;
      points: string;
      refunds: string;
      orders: string;
      units: string;
      customers: string;
    }>`
      SELECT key, sum(gross)::text AS gross, sum(coupons)::text AS coupons, sum(points)::text AS points, sum(refunds)::text AS refunds,
             sum(orders)::text AS orders, sum(units)::text AS units, count(DISTINCT customer)::text AS customers
      FROM (
        SELECT ${k('o', sql`o.placed_at`)} AS key, l.amount + l.coupon_discount + l.points_discount AS gross, l.coupon_discount AS coupons,
               l.points_discount AS points, 0 AS refunds, 0 AS orders, l.qty AS units, NULL AS customer
        FROM ${sale} o JOIN ${orderLineFacts} l ON l.order_id = o.id WHERE ${inRange(sql`o.placed_at`)}
        UNION ALL
        SELECT ${k('o', sql`o.placed_at`)}, 0, 0, 0, 0, 1, 0, o.customer_id FROM ${sale} o WHERE ${inRange(sql`o.placed_at`)}
        UNION ALL
        SELECT ${k('o', sql`r.created_at`)}, 0, 0, 0, r.amount, 0, -r.qty, NULL
        FROM ${sale} o JOIN ${returnLineFacts} r ON r.order_id = o.id WHERE ${inRange(sql`r.created_at`)}
      ) x GROUP BY key ORDER BY key`.execute(db())
  ).rows;
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return rows.sort(byKey).map((r) => ({
    key: r.key,
    ...fig(
      Number(r.gross),
      Number(r.coupons),
      Number(r.points),
      Number(r.refunds),
      Number(r.orders),
      Number(r.units),
      Number(r.customers),
    ),
  }));
}

describe('rollups from events', () => {
  const SEED = Number(process.env.ANALYTICS_SEED ?? 20261205);
  const STORES = ['near', 'mid', 'far'];
  const SKUS = ['MILK', 'TV', 'CHIPS'];
  const PHONES = ['+8613800000001', '+8613800000002', '+8613800000003', '+8613800000004'];

  beforeAll(async () => {
    const rand = rng(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const sold: { id: string; lines: { sku: string; qty: number }[]; paid: boolean }[] = [];
    for (let i = 0; i < 36; i++) {
      const channel = pick(['app', 'mini_program', 'web', 'pos', 'group_buy'] as const);
      const skus = SKUS.filter(() => rand() < 0.5);
      const lines = (skus.length ? skus : [pick(SKUS)]).map((sku) => ({ sku, qty: 1 + Math.floor(rand() * 3) }));
      const fulfillment =
        channel === 'pos'
          ? { type: 'in_store', location_id: pick(STORES) }
          : rand() < 0.4
            ? { type: 'pickup', location_id: pick(STORES) }
            : delivery(pick(['hour', 'same_day', 'standard'] as const));
      const body: Record<string, unknown> = { channel, lines, fulfillment };
      if (rand() < 0.7) body.customer = { type: 'phone', value: pick(PHONES) };
      const placed = await s.api('POST', '/v1/orders', body);
      if (placed.status !== 201) continue;
      const o = placed.body;
      if (o.status === 'pending_payment') {
        const r = rand();
        if (r < 0.7) {
          await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
          sold.push({ id: o.id, lines, paid: true });
        } else if (r < 0.85) await must(s, 'POST', `/v1/orders/${o.id}/cancel`, { reason: 'changed mind' });
      } else sold.push({ id: o.id, lines, paid: false });
      if (rand() < 0.3) await drain(); // batches of every size
    }
    for (const o of sold) {
      if (rand() < 0.4) {
        const l = pick(o.lines);
        await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
          lines: [{ sku: l.sku, qty: 1 + Math.floor(rand() * l.qty) }],
          location_id: pick(STORES),
          reason: 'random return',
        });
      }
      // a paid online order cancelled after a return: the order and its returns leave the figures
      if (o.paid && rand() < 0.25) await s.api('POST', `/v1/orders/${o.id}/cancel`, { reason: 'late cancel' });
      if (rand() < 0.2) await drain();
    }
    await drain();
  });

  it('maintained incrementally, the rollups equal a rebuild (seed in ANALYTICS_SEED)', async () => {
    const events = await outboxEvents();
    expect(events.filter((e) => e.type === 'order.returned').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'order.cancelled').length).toBeGreaterThan(0);
    const incremental = await snapshot();
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
    expect(await snapshot()).toBe(incremental);
  });

  it('an event applied twice counts once, before and after a rebuild', async () => {
    // events after the last rebuild: kept out by their recorded ids
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: PHONES[0] },
      lines: [{ sku: 'MILK', qty: 3 }],
      fulfillment: { type: 'in_store', location_id: 'far' },
    });
    await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
      lines: [{ sku: 'MILK', qty: 1 }],
      location_id: 'far',
      reason: 'random return',
    });
    await drain();
    const before = await snapshot();
    const events = await outboxEvents();
    await transact(s.santong.ctx.database, (tx) => applyOrderEvents(tx, TZ, events));
    expect(await snapshot()).toBe(before);
    // after a rebuild the applied ids are forgotten: the watermark keeps them out
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
    expect(await snapshot()).toBe(before);
    await transact(s.santong.ctx.database, (tx) => applyOrderEvents(tx, TZ, events));
    expect(await snapshot()).toBe(before);
  });

  it('agrees with a direct SQL sum over the orders by day, channel, store and fulfilment', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const from = '2025-03-01';
    for (const [group, key] of [
      ['day', 'day'],
      ['channel', 'channel'],
      ['location', 'location'],
      ['fulfilment', 'fulfilment'],
    ] as const) {
      const api = await sales(`from=${from}&to=${today}&group_by=${group}&limit=2000`);
      const want = await direct(key, from, today);
      const got = api.rows
        .filter((r: Fig & { key: string }) => r.orders !== 0 || r.refunds !== 0 || r.units !== 0 || r.gross_sales !== 0)
        .sort((a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      expect(got, group).toEqual(want);
    }
    const totals = await sales(`from=${from}&to=${today}`);
    const all = await direct('day', from, today);
    expect(totals.totals.gross_sales).toBe(all.reduce((t, r) => t + r.gross_sales, 0));
    expect(totals.totals.refunds).toBe(all.reduce((t, r) => t + r.refunds, 0));
    expect(totals.totals.orders).toBe(all.reduce((t, r) => t + r.orders, 0));
    expect(totals.totals.orders).toBeGreaterThan(FIXTURE.length);
  });
});
