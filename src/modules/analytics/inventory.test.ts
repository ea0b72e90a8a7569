/**
 * Inventory health (GET /v1/analytics/inventory): stock-outs now and over 28 days from daily
 * snapshots, days of cover, turnover, low stock and slow movers on a hand-built chain, to the unit;
 * the same figures from a direct SQL computation over stock and orders; store staff see their store.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { backfillStockSnapshots, takeStockSnapshot, todayIn } from './inventory';
import { rebuildSalesRollups } from './rollup';

const TZ = 'Asia/Shanghai';
let s: TestServer;
const db = () => s.santong.ctx.database.db;
const today = todayIn(TZ);
const dayAgo = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);

/** A completed in-store sale at noon (Shanghai) `daysAgo` days ago. */
async function sale(id: string, location: string, sku: string, qty: number, daysAgo: number): Promise<void> {
  const at = `${dayAgo(daysAgo)}T04:00:00Z`;
  await sql`INSERT INTO orders (id, channel, location_id, fulfillment_type, status, subtotal, discount_total, delivery_fee,
      total, placed_at, paid_at)
    VALUES (${id}, 'pos', ${location}, 'in_store', 'completed', ${qty * 100}, 0, 0, ${qty * 100}, ${at}, ${at})`.execute(
    db(),
  );
  await sql`INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price, discount, amount)
    VALUES (${id}, 1, ${sku}, ${qty}, 100, 0, ${qty * 100})`.execute(db());
}

async function snap(day: string, location: string, sku: string, onHand: number, available: number) {
  await sql`INSERT INTO analytics_stock_daily (day, location_id, sku, on_hand, reserved, safety_stock, online_available)
    VALUES (${day}, ${location}, ${sku}, ${onHand}, 0, ${onHand - available}, ${available})`.execute(db());
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_TIMEZONE: TZ } });
  await setupGoods(s, {
    near: { MILK: 30, TV: 0, CHIPS: 10 },
    mid: { MILK: 5 },
    far: { CHIPS: 100, MILK: 20 },
  });
  // the chips at near are all safety stock: none left for online orders
  await must(s, 'PUT', '/v1/stock/near/CHIPS', { on_hand: 10, safety_stock: 10 });
  await sale('iv-1', 'near', 'MILK', 28, 2);
  await sale('iv-2', 'near', 'MILK', 28, 10);
  await sale('iv-3', 'near', 'TV', 2, 5);
  await sale('iv-4', 'near', 'CHIPS', 14, 3);
  await sale('iv-5', 'mid', 'MILK', 28, 1);
  await sale('iv-6', 'mid', 'TV', 1, 1); // mid keeps no TV: not one of its pairs
  await sale('iv-7', 'far', 'MILK', 3, 40); // in the 60 days, not the 28
  await sale('iv-8', 'far', 'CHIPS', 5, 70); // before the 60 days: the chips at far are a slow mover
  await sale('iv-9', 'near', 'MILK', 4, 30); // outside the window
  await rebuildSalesRollups(s.santong.ctx.database, TZ);
  // snapshots: two days by hand, today's taken from the stock now, one outside the window
  const rows: [string, string, number, number][][] = [
    [
      ['near', 'MILK', 40, 40],
      ['near', 'TV', 0, 0],
      ['near', 'CHIPS', 20, 10],
      ['mid', 'MILK', 0, 0],
      ['far', 'CHIPS', 100, 100],
      ['far', 'MILK', 20, 20],
    ],
    [
      ['near', 'MILK', 35, 35],
      ['near', 'TV', 2, 2],
      ['near', 'CHIPS', 12, 2],
      ['mid', 'MILK', 8, 8],
      ['far', 'CHIPS', 100, 100],
      ['far', 'MILK', 20, 20],
    ],
  ];
  for (const [i, day] of [dayAgo(2), dayAgo(1)].entries())
    for (const [loc, sku, onHand, available] of rows[i]) await snap(day, loc, sku, onHand, available);
  await snap(dayAgo(30), 'near', 'MILK', 0, 0);
  expect(await takeStockSnapshot(db(), today)).toBe(6);
});
afterAll(async () => s?.close());

describe('inventory health on a hand-built chain, to the unit', () => {
  it('stock-outs now and over 28 days, days of cover, turnover, low stock and slow movers', async () => {
    const r = await must(s, 'GET', '/v1/analytics/inventory');
    expect(r).toMatchObject({ timezone: TZ, as_of: today, location_id: null, window_days: 28 });
    // sold in the 28 days: near MILK, TV, CHIPS and mid MILK; out now: near TV (none), near CHIPS (safety stock)
    expect(r.stock_out.now).toEqual({ pairs: 4, out: 2, rate: 0.5 });
    // snapshots of those 4 pairs: 2 days ago TV and mid MILK out, yesterday none, today TV and CHIPS
    expect(r.stock_out.history).toEqual([
      { day: dayAgo(2), pairs: 4, out: 2, rate: 0.5 },
      { day: dayAgo(1), pairs: 4, out: 0, rate: 0 },
      { day: today, pairs: 4, out: 2, rate: 0.5 },
    ]);
    expect(r.stock_out.last_28_days).toEqual({ snapshot_days: 3, pair_days: 12, out_days: 4, rate: 0.3333 });
    // on hand 30 + 0 + 10 + 5 + 100 + 20 = 165; units 56 + 2 + 14 + 28 = 100 over 28 days
    expect(r.on_hand).toBe(165);
    expect(r.units_28d).toBe(100);
    expect(r.days_of_cover).toBe(46.2); // 165 / (100 / 28)
    // average on hand in the snapshots (180 + 177 + 165) / 3 = 174
    expect(r.turnover).toBe(0.5747); // 100 / 174
    expect(r.low_stock_count).toBe(2);
    expect(r.low_stock).toEqual([
      {
        location_id: 'near',
        sku: 'TV',
        name: 'TV',
        on_hand: 0,
        online_available: 0,
        units_28d: 2,
        avg_daily_units: 0.07,
        days_of_cover: 0,
      },
      {
        location_id: 'mid',
        sku: 'MILK',
        name: 'Milk',
        on_hand: 5,
        online_available: 5,
        units_28d: 28,
        avg_daily_units: 1,
        days_of_cover: 5,
      },
    ]);
    expect(r.slow_movers_count).toBe(1);
    expect(r.slow_movers).toEqual([
      { location_id: 'far', sku: 'CHIPS', name: 'Chips', on_hand: 100, stock_value: 99900 },
    ]);
  });

  it('one store; store staff see their own store whatever they ask', async () => {
    const near = await must(s, 'GET', '/v1/analytics/inventory?location_id=near');
    expect(near.location_id).toBe('near');
    expect(near.stock_out.now).toEqual({ pairs: 3, out: 2, rate: 0.6667 });
    expect(near.stock_out.last_28_days).toEqual({ snapshot_days: 3, pair_days: 9, out_days: 3, rate: 0.3333 });
    expect(near.on_hand).toBe(40);
    expect(near.units_28d).toBe(72);
    expect(near.slow_movers).toEqual([]);
    const staff = await s.keyFor('store_staff', { location_id: 'mid' });
    const mid = await s.api('GET', '/v1/analytics/inventory?location_id=near', undefined, { key: staff });
    expect(mid.status).toBe(200);
    expect(mid.body.location_id).toBe('mid');
    expect(mid.body.stock_out.now).toEqual({ pairs: 1, out: 0, rate: 0 });
    expect(mid.body.low_stock.map((x: { sku: string }) => x.sku)).toEqual(['MILK']);
    const bad = await s.api('GET', '/v1/analytics/inventory?location_id=a%20b');
    expect([bad.status, bad.body.error.field]).toEqual([400, 'location_id']);
  });

  it('agrees with a direct SQL computation over the stock and the orders', async () => {
    const w28 = dayAgo(27);
    const direct = (
      await sql<{ pairs: string; out: string; on_hand: string; units: string }>`
        WITH sold AS (
          SELECT o.location_id, l.sku, sum(l.qty) AS units FROM orders o JOIN order_lines l ON l.order_id = o.id
          WHERE o.status NOT IN ('pending_payment', 'cancelled', 'expired')
            AND (o.placed_at AT TIME ZONE ${TZ})::date BETWEEN ${w28}::date AND ${today}::date
          GROUP BY 1, 2)
        SELECT (SELECT count(*) FROM stock st JOIN sold x ON x.location_id = st.location_id AND x.sku = st.sku)::text AS pairs,
               (SELECT count(*) FROM stock st JOIN sold x ON x.location_id = st.location_id AND x.sku = st.sku
                 WHERE st.on_hand - st.reserved - st.safety_stock <= 0)::text AS out,
               (SELECT sum(on_hand) FROM stock)::text AS on_hand,
               (SELECT sum(x.units) FROM sold x JOIN stock st ON x.location_id = st.location_id AND x.sku = st.sku)::text AS units`.execute(
        db(),
      )
    ).rows[0];
    const r = await must(s, 'GET', '/v1/analytics/inventory');
    expect([r.stock_out.now.pairs, r.stock_out.now.out, r.on_hand, r.units_28d]).toEqual([
      Number(direct.pairs),
      Number(direct.out),
      Number(direct.on_hand),
      Number(direct.units),
    ]);
  });

  it('the demo backfill adds back what was sold since and leaves days with snapshots alone', async () => {
    const added = await backfillStockSnapshots(s.santong.ctx.database, today, 35);
    // 36 days × 6 pairs, less the four days that have snapshots
    expect(added).toBe(32 * 6);
    const milk = (
      await sql<{ day: string; on_hand: number }>`SELECT day::text AS day, on_hand FROM analytics_stock_daily
        WHERE location_id = 'far' AND sku = 'MILK' ORDER BY day`.execute(db())
    ).rows;
    expect(milk).toHaveLength(35); // every day but the one 30 days ago, which had a snapshot (of near's milk only)
    // far's milk: 20 now; a sale of 3 forty days ago is before the backfill; deliveries only for pairs that sold
    expect(new Set(milk.map((m) => m.on_hand))).toEqual(new Set([20]));
  });
});
