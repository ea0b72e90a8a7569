import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { insertCustomer, insertOrder, insertReturn, type FixtureOrder } from '../../../test/fixtures/order-history';
import { startTestServer, type TestServer } from '../../../test/server';
import { customerRoots } from '../customers/public';
import { NOT_SALE_STATUSES, orderFacts } from '../orders/public';
import { rebuildSalesRollups } from './rollup';
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
// A hand-built history, January to March 2025 (Shanghai, UTC+8; every time below is the same day
// there), written as the customers, orders and fulfilment modules store it.

const FIXTURE: FixtureOrder[] = [
  // p1, recruited at near's till: first sale there on 5 January
  {
    id: 'cx-a1',
    channel: 'pos',
    type: 'in_store',
    location: 'near',
    status: 'completed',
    customer: 'cx-p1',
    at: '2025-01-05T04:00:00Z',
    lines: [{ sku: 'MILK', qty: 2, price: 1290 }],
  },
  // p1 in February: an app pickup at near (ready 30 min after payment, collected) with a coupon ...
  {
    id: 'cx-b1',
    channel: 'app',
    type: 'pickup',
    location: 'near',
    status: 'completed',
    customer: 'cx-p1',
    at: '2025-02-03T02:00:00Z',
    lines: [{ sku: 'TV', qty: 1, price: 399900, coupon: 10000 }],
    fulfilment: {
      status: 'collected',
      events: [
        ['picked', 600],
        ['ready_for_pickup', 1800],
        ['collected', 7200],
      ],
    },
  },
  // ... and the mid store's till with points: p1 is a cross-channel buyer in February
  {
    id: 'cx-b2',
    channel: 'pos',
    type: 'in_store',
    location: 'mid',
    status: 'completed',
    customer: 'cx-p1',
    at: '2025-02-04T03:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 3, price: 999, points: 300 }],
  },
  // p2 (app profile): two hour deliveries from near, one on time (handed over 20 min, delivered 50 min; eta 60)
  {
    id: 'cx-c1',
    channel: 'app',
    type: 'delivery',
    speed: 'hour',
    location: 'near',
    status: 'completed',
    customer: 'cx-p2',
    at: '2025-02-10T01:00:00Z',
    lines: [{ sku: 'MILK', qty: 1, price: 1290 }],
    fulfilment: {
      status: 'delivered',
      eta: 3600,
      events: [
        ['out_for_delivery', 1200],
        ['delivered', 3000],
      ],
    },
  },
  // ... one late (handed over 40 min, delivered 70 min; eta 60)
  {
    id: 'cx-c2',
    channel: 'mini_program',
    type: 'delivery',
    speed: 'hour',
    location: 'near',
    status: 'completed',
    customer: 'cx-p2',
    at: '2025-02-20T01:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 1, price: 999 }],
    fulfilment: {
      status: 'delivered',
      eta: 3600,
      events: [
        ['out_for_delivery', 2400],
        ['delivered', 4200],
      ],
    },
  },
  // p3, recruited at mid's till on 15 February
  {
    id: 'cx-d1',
    channel: 'pos',
    type: 'in_store',
    location: 'mid',
    status: 'completed',
    customer: 'cx-p3',
    at: '2025-02-15T05:00:00Z',
    lines: [{ sku: 'MILK', qty: 1, price: 1290 }],
  },
  // p3's web pickup at near, ready after 10 min, never collected: cancelled (a no-show, not a sale)
  {
    id: 'cx-d2',
    channel: 'web',
    type: 'pickup',
    location: 'near',
    status: 'cancelled',
    customer: 'cx-p3',
    at: '2025-03-05T02:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 2, price: 999 }],
    fulfilment: { status: 'cancelled', events: [['ready_for_pickup', 600]] },
  },
  // p4 online from the DC, and at near's till under a merged member id (p4b → p4): cross-channel in March
  {
    id: 'cx-e1',
    channel: 'web',
    type: 'delivery',
    speed: 'standard',
    location: 'dc1',
    status: 'completed',
    customer: 'cx-p4',
    at: '2025-03-01T02:00:00Z',
    lines: [{ sku: 'MILK', qty: 1, price: 1290 }],
  },
  {
    id: 'cx-e2',
    channel: 'pos',
    type: 'in_store',
    location: 'near',
    status: 'completed',
    customer: 'cx-p4b',
    at: '2025-03-03T06:00:00Z',
    lines: [{ sku: 'TV', qty: 1, price: 399900 }],
  },
  // a guest at near's till; an unpaid order that expired: neither has a buyer
  {
    id: 'cx-g1',
    channel: 'pos',
    type: 'in_store',
    location: 'near',
    status: 'completed',
    customer: null,
    at: '2025-03-03T07:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 1, price: 999 }],
  },
  {
    id: 'cx-g2',
    channel: 'app',
    type: 'pickup',
    location: 'far',
    status: 'expired',
    paid: false,
    customer: 'cx-p2',
    at: '2025-03-04T07:00:00Z',
    lines: [{ sku: 'CHIPS', qty: 1, price: 999 }],
    fulfilment: { status: 'cancelled', events: [] },
  },
];

const grp = (customers: number, net_sales: number, orders: number, paid: number) => ({
  customers,
  net_sales,
  orders,
  aov: orders ? Math.round(paid / orders) : 0,
});

describe('customers, cohorts and stores: the definitions on a hand-built history, to the fen', () => {
  beforeAll(async () => {
    await insertCustomer(db(), 'cx-p1', '2025-01-05T03:59:00Z', 'pos');
    await insertCustomer(db(), 'cx-p2', '2025-02-10T00:50:00Z', 'app');
    await insertCustomer(db(), 'cx-p3', '2025-02-15T04:59:00Z', 'pos');
    await insertCustomer(db(), 'cx-p4', '2025-03-01T01:00:00Z', 'web');
    await insertCustomer(db(), 'cx-p4b', '2025-03-02T01:00:00Z', 'pos', 'cx-p4'); // merged: not a recruit
    await insertCustomer(db(), 'cx-p5', '2025-03-10T01:00:00Z', 'pos'); // identified at a till, no sale yet
    for (const o of FIXTURE) await insertOrder(db(), o);
    // p1 brings the TV back on 2 March: the whole 389900 paid refunded
    await insertReturn(db(), 'cx-r1', 'cx-b1', '2025-03-02T03:00:00Z', 'TV', 1, 389900);
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
  });

  it('new, returning, repurchase, cross-channel and members recruited by month', async () => {
    const r = await must(s, 'GET', '/v1/analytics/customers?from=2025-01-01&to=2025-03-31&group_by=month');
    expect(r.rows.map((x: { key: string }) => x.key)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect(r.rows[0]).toEqual({
      key: '2025-01',
      buyers: 1,
      new: 1,
      returning: 0,
      repurchase_rate: 0,
      cross_channel: grp(0, 0, 0, 0),
      single_channel: grp(1, 2580, 1, 2580),
      members_recruited: 1,
    });
    // p1 (returning, app + till: 389900 + 2697), p2 (new, 2 online), p3 (new, till)
    expect(r.rows[1]).toEqual({
      key: '2025-02',
      buyers: 3,
      new: 2,
      returning: 1,
      repurchase_rate: 0.6667,
      cross_channel: grp(1, 392597, 2, 392597),
      single_channel: grp(2, 3579, 3, 3579),
      members_recruited: 1,
    });
    expect(r.rows[1].cross_channel.aov).toBe(196299); // 392597 / 2 = 196298.5, rounded
    // p4 only (web + till under its merged id); p1's refund alone makes no buyer; p3's order was cancelled
    expect(r.rows[2]).toEqual({
      key: '2025-03',
      buyers: 1,
      new: 1,
      returning: 0,
      repurchase_rate: 1,
      cross_channel: grp(1, 401190, 2, 401190),
      single_channel: grp(0, 0, 0, 0),
      members_recruited: 1,
    });
    expect(r.totals).toEqual({
      buyers: 4,
      new: 4,
      returning: 0,
      repurchase_rate: 0.75,
      cross_channel: grp(2, 2580 + 392597 - 389900 + 401190, 5, 2580 + 392597 + 401190),
      single_channel: grp(2, 3579, 3, 3579),
      members_recruited: 3,
    });
  });

  it('a buyer who first bought before the range is returning; by day and week', async () => {
    const feb = await must(s, 'GET', '/v1/analytics/customers?from=2025-02-01&to=2025-02-28&group_by=week');
    expect(feb.totals).toMatchObject({
      buyers: 3,
      new: 2,
      returning: 1,
      repurchase_rate: 0.6667,
      members_recruited: 1,
    });
    expect(feb.rows[0].key).toBe('2025-01-27'); // the Monday of 1 February
    const weeks = feb.rows.filter((w: { buyers: number }) => w.buyers > 0);
    // week of 3 Feb: p1 twice (cross); of 10 Feb: p2 (new) and p3 (new); of 17 Feb: p2 again (returning)
    expect(
      weeks.map((w: { key: string; buyers: number; new: number; returning: number }) => [
        w.key,
        w.buyers,
        w.new,
        w.returning,
      ]),
    ).toEqual([
      ['2025-02-03', 1, 0, 1],
      ['2025-02-10', 2, 2, 0],
      ['2025-02-17', 1, 0, 1],
    ]);
    const day = await must(s, 'GET', '/v1/analytics/customers?from=2025-03-02&to=2025-03-03');
    expect(day.rows.map((d: { key: string; buyers: number }) => [d.key, d.buyers])).toEqual([
      ['2025-03-02', 0],
      ['2025-03-03', 1],
    ]);
    expect(day.rows[1].returning).toBe(1); // p4 first bought on 1 March
  });

  it('cohorts by month of the first sale, with retention and net sales per month since', async () => {
    const r = await must(s, 'GET', '/v1/analytics/cohorts?from=2025-01-01&to=2025-03-31&period=month');
    expect(r.cohorts).toEqual([
      {
        cohort: '2025-01',
        customers: 1,
        periods: [
          { index: 0, active: 1, retention: 1, net_sales: 2580 },
          { index: 1, active: 1, retention: 1, net_sales: 392597 },
          { index: 2, active: 0, retention: 0, net_sales: -389900 },
        ],
      },
      {
        cohort: '2025-02',
        customers: 2,
        periods: [
          { index: 0, active: 2, retention: 1, net_sales: 3579 },
          { index: 1, active: 0, retention: 0, net_sales: 0 },
        ],
      },
      { cohort: '2025-03', customers: 1, periods: [{ index: 0, active: 1, retention: 1, net_sales: 401190 }] },
    ]);
    // activity is counted up to `to` only
    const upToFeb = await must(s, 'GET', '/v1/analytics/cohorts?from=2025-01-01&to=2025-02-28');
    expect(upToFeb.cohorts.map((c: { cohort: string; periods: unknown[] }) => [c.cohort, c.periods.length])).toEqual([
      ['2025-01', 2],
      ['2025-02', 1],
    ]);
  });

  const near = {
    location_id: 'near',
    in_store_net_sales: 2580 + 399900 + 999,
    in_store_orders: 3,
    online_orders: { pickup: 1, hour: 2, same_day: 0, standard: 0, total: 3 },
    o2o_net_sales: 0 + 1290 + 999, // the pickup's TV was refunded in full
    median_pick_seconds: 1500, // 600 (no-show), 1200, 1800, 2400
    median_ready_for_pickup_seconds: 1200, // 600, 1800
    pickups_ended: 2,
    pickup_no_shows: 1,
    pickup_no_show_rate: 0.5,
    hour_deliveries: 2,
    hour_on_time: 1,
    hour_delivery_on_time_rate: 0.5,
    members_recruited: 1,
    // The fixture's orders are written without their events: nothing was booked in settlements
    // (settlements.test.ts covers storeRevenueShares, which this field is).
    revenue_share: { orders: 0, credits: 0, reversals: 0, net: 0 },
    footfall_recorded: false,
    footfall: 0,
    footfall_conversion: null,
  };
  const mid = {
    location_id: 'mid',
    in_store_net_sales: 2697 + 1290,
    in_store_orders: 2,
    online_orders: { pickup: 0, hour: 0, same_day: 0, standard: 0, total: 0 },
    o2o_net_sales: 0,
    median_pick_seconds: null,
    median_ready_for_pickup_seconds: null,
    pickups_ended: 0,
    pickup_no_shows: 0,
    pickup_no_show_rate: null,
    hour_deliveries: 0,
    hour_on_time: 0,
    hour_delivery_on_time_rate: null,
    members_recruited: 1,
    revenue_share: { orders: 0, credits: 0, reversals: 0, net: 0 },
    footfall_recorded: false,
    footfall: 0,
    footfall_conversion: null,
  };

  it('a store scorecard: sales, O2O orders by kind, pick and ready times, no-shows, on time, recruits', async () => {
    const r = await must(s, 'GET', '/v1/stores/near/scorecard?from=2025-01-01&to=2025-03-31');
    // footfall_by_hour: appointments/footfall.test.ts
    expect(r).toEqual({ from: '2025-01-01', to: '2025-03-31', ...near, footfall_by_hour: expect.any(Array) });
    const feb = await must(s, 'GET', '/v1/stores/near/scorecard?from=2025-02-01&to=2025-02-28');
    expect(feb).toMatchObject({
      in_store_net_sales: 0,
      online_orders: { pickup: 1, hour: 2, total: 3 },
      o2o_net_sales: 389900 + 1290 + 999, // the refund is dated in March
      median_pick_seconds: 1800,
      median_ready_for_pickup_seconds: 1800,
      pickup_no_show_rate: 0,
      members_recruited: 0,
    });
    expect((await s.api('GET', '/v1/stores/dc1/scorecard?from=2025-01-01&to=2025-03-31')).status).toBe(404);
    const bad = await s.api('GET', '/v1/stores/near/scorecard?from=2025-03-01&to=2025-02-01');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('to');
  });

  it('the league table ranks the stores; store staff see their own store only', async () => {
    const r = await must(s, 'GET', '/v1/analytics/stores?from=2025-01-01&to=2025-03-31');
    expect(r.stores.map((x: { location_id: string }) => x.location_id)).toEqual(['near', 'mid', 'far']);
    expect(r.stores[0]).toEqual(near);
    expect(r.stores[1]).toEqual(mid);
    expect(r.stores[2]).toMatchObject({ in_store_net_sales: 0, members_recruited: 0, median_pick_seconds: null });
    const key = await s.keyFor('store_staff', { location_id: 'mid' });
    const own = await s.api('GET', '/v1/analytics/stores?from=2025-01-01&to=2025-03-31', undefined, { key });
    expect(own.status).toBe(200);
    expect(own.body.stores).toEqual([mid]);
    expect(
      (await s.api('GET', '/v1/stores/mid/scorecard?from=2025-01-01&to=2025-03-31', undefined, { key })).status,
    ).toBe(200);
    expect(
      (await s.api('GET', '/v1/stores/near/scorecard?from=2025-01-01&to=2025-03-31', undefined, { key })).status,
    ).toBe(403);
    expect(
      (await s.api('GET', '/v1/analytics/customers?from=2025-01-01&to=2025-03-31', undefined, { key })).status,
    ).toBe(403);
  });

  it('answers 400 naming the field', async () => {
    const bad = async (path: string, field: string) => {
      const r = await s.api('GET', path);
      expect(r.status, path).toBe(400);
      expect(JSON.stringify(r.body), path).toContain(field);
    };
    await bad('/v1/analytics/customers?from=2025-02-30&to=2025-03-01', 'from');
    await bad('/v1/analytics/customers?from=2025-01-01&to=2025-03-01&group_by=year', 'group_by');
    await bad('/v1/analytics/cohorts?from=2025-01-01&to=2025-03-01&period=day', 'period');
    await bad('/v1/analytics/cohorts?from=2022-01-01&to=2025-03-01', 'to');
    await bad('/v1/analytics/stores?to=2025-03-01', 'from');
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
    daily: await rows('analytics_customer_daily', 'day, customer_id, channel_group'),
    firsts: await rows('analytics_customer_firsts', 'root'),
    steps: await rows('analytics_customer_steps', 'kind, day, back_day'),
    day_sums: await rows('analytics_customer_day_sums', 'day'),
    cohort_days: await rows('analytics_cohort_days', 'period, first_day, day'),
    timings: await rows('analytics_fulfilment_timings', 'order_id, fulfillment_id'),
  });
}

async function drain() {
  for (let i = 0; i < 50; i++) if ((await s.santong.ctx.dispatcher.runOnce()).fannedOut === 0) return;
}

describe('customer rollups and store timings from events', () => {
  const SEED = Number(process.env.ANALYTICS_SEED ?? 20261206);
  const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    const rand = rng(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const PHONES = ['+8613900000001', '+8613900000002', '+8613900000003', '+8613900000004', '+8613900000005'];
    type Sold = { id: string; lines: { sku: string; qty: number }[]; paid: boolean };
    const sold: (Sold & { fulfilment?: { id: string; pickup: boolean; code: string } })[] = [];
    for (let i = 0; i < 30; i++) {
      const channel = pick(['app', 'mini_program', 'web', 'pos', 'group_buy'] as const);
      const lines = [{ sku: pick(['MILK', 'TV', 'CHIPS']), qty: 1 + Math.floor(rand() * 2) }];
      const fulfillment =
        channel === 'pos'
          ? { type: 'in_store', location_id: pick(['near', 'mid', 'far']) }
          : rand() < 0.4
            ? { type: 'pickup', location_id: pick(['near', 'mid', 'far']) }
            : delivery(pick(['hour', 'same_day', 'standard'] as const));
      const body: Record<string, unknown> = { channel, lines, fulfillment };
      if (rand() < 0.8) body.customer = { type: 'phone', value: pick(PHONES) };
      const placed = await s.api('POST', '/v1/orders', body);
      if (placed.status !== 201) continue;
      const o = placed.body;
      if (o.status === 'pending_payment') {
        if (rand() < 0.75) {
          const paid = await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
          const f = paid.allocations?.length === 1 ? String(paid.allocations[0].fulfillment_id) : null;
          const pickup = (fulfillment as { type: string }).type === 'pickup';
          sold.push({
            id: o.id,
            lines,
            paid: true,
            ...(f ? { fulfilment: { id: f, pickup, code: o.pickup_code } } : {}),
          });
        } else await must(s, 'POST', `/v1/orders/${o.id}/cancel`, { reason: 'changed mind' });
      } else sold.push({ id: o.id, lines, paid: false });
      if (rand() < 0.3) await drain();
    }
    // Fulfilment steps at random times within the next hours: picked, ready or handed over, then
    // collected, delivered or failed (the store timings); some stop halfway.
    const later = () => new Date(Date.now() + Math.floor(rand() * 4 * 3600_000)).toISOString();
    for (const o of sold) {
      if (!o.fulfilment || rand() < 0.2) continue;
      const { id, pickup, code } = o.fulfilment;
      const steps = pickup ? ['picked', 'ready_for_pickup'] : ['picked', 'out_for_delivery'];
      for (const type of steps.slice(0, 1 + Math.floor(rand() * 2)))
        await s.api('POST', `/v1/fulfillments/${id}/events`, { type, at: later() });
      const end = rand();
      if (end < 0.4 && pickup) await s.api('POST', `/v1/fulfillments/${id}/collect`, { pickup_code: code });
      else if (end < 0.4) await s.api('POST', `/v1/fulfillments/${id}/events`, { type: 'delivered', at: later() });
      else if (end < 0.55) await s.api('POST', `/v1/fulfillments/${id}/events`, { type: 'failed', at: later() });
      if (rand() < 0.3) await drain();
    }
    for (const o of sold) {
      if (rand() < 0.35)
        await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
          lines: [{ sku: o.lines[0].sku, qty: 1 }],
          location_id: 'near',
          reason: 'random return',
        });
      // a paid order cancelled: it may have been its buyer's first sale
      if (o.paid && rand() < 0.3) await s.api('POST', `/v1/orders/${o.id}/cancel`, { reason: 'late cancel' });
      if (rand() < 0.2) await drain();
    }
    await drain();
  });

  it('maintained incrementally, they equal a rebuild (seed in ANALYTICS_SEED)', async () => {
    const incremental = await snapshot();
    expect(JSON.parse(incremental).daily.length).toBeGreaterThan(0);
    // the store timings too: picked and ready pickups, collected, delivered and failed ones
    const timings = (JSON.parse(incremental) as { timings: string[] }).timings.map((r) => JSON.parse(r));
    expect(timings.some((t) => t.ready_seconds !== null)).toBe(true);
    expect(timings.some((t) => t.pickup_ended)).toBe(true);
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
    expect(await snapshot()).toBe(incremental);
  });

  it('buyers, new buyers, repeaters and cohort sizes agree with a direct SQL count over the orders', async () => {
    const from = '2026-01-01';
    const to = today();
    const sale = sql`(SELECT * FROM ${orderFacts} x WHERE x.status NOT IN (${sql.join([...NOT_SALE_STATUSES])}) AND x.customer_id IS NOT NULL)`;
    const direct = (
      await sql<{ buyers: string; new: string; repeaters: string; firsts: string }>`
        WITH p AS (SELECT coalesce(c.root, o.customer_id) AS root, (o.placed_at AT TIME ZONE ${TZ})::date AS day
                   FROM ${sale} o LEFT JOIN ${customerRoots} c ON c.id = o.customer_id),
        f AS (SELECT root, min(day) AS first FROM p GROUP BY root),
        b AS (SELECT root, count(*) AS n FROM p WHERE day BETWEEN ${from}::date AND ${to}::date GROUP BY root)
        SELECT (SELECT count(*) FROM b)::text AS buyers,
               (SELECT count(*) FROM b JOIN f USING (root) WHERE f.first >= ${from}::date)::text AS new,
               (SELECT count(*) FROM b WHERE n >= 2)::text AS repeaters,
               (SELECT count(*) FROM f WHERE first BETWEEN ${from}::date AND ${to}::date)::text AS firsts`.execute(db())
    ).rows[0];
    const api = await must(s, 'GET', `/v1/analytics/customers?from=${from}&to=${to}&group_by=month`);
    expect(Number(direct.buyers)).toBeGreaterThan(0);
    expect(api.totals.buyers).toBe(Number(direct.buyers));
    expect(api.totals.new).toBe(Number(direct.new));
    expect(api.totals.returning).toBe(Number(direct.buyers) - Number(direct.new));
    expect(api.totals.repurchase_rate).toBe(
      Math.round((Number(direct.repeaters) / Number(direct.buyers)) * 10000) / 10000,
    );
    const cohorts = await must(s, 'GET', `/v1/analytics/cohorts?from=${from}&to=${to}`);
    expect(cohorts.cohorts.reduce((n: number, c: { customers: number }) => n + c.customers, 0)).toBe(
      Number(direct.firsts),
    );
  });

  it('an erased person stays counted under a substitute: no rollup row names them', async () => {
    const from = '2026-01-01';
    const to = today();
    const named = async (id: string) =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT ((SELECT count(*) FROM analytics_customer_daily WHERE customer_id = ${id} OR root = ${id})
            + (SELECT count(*) FROM analytics_customer_firsts WHERE root = ${id}))::text AS n`.execute(db())
        ).rows[0].n,
      );
    // a till sale (completed at once: nothing open blocks the erasure)
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: '+8613900000099' },
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    await drain();
    const id = String(o.customer_id);
    expect(await named(id)).toBeGreaterThan(0);
    const before = await must(s, 'GET', `/v1/analytics/customers?from=${from}&to=${to}`);
    expect((await s.api('DELETE', `/v1/customers/${id}`)).status).toBe(202);
    expect(await named(id)).toBe(0);
    const after = await must(s, 'GET', `/v1/analytics/customers?from=${from}&to=${to}`);
    expect(after.totals).toEqual(before.totals);
  });
});
