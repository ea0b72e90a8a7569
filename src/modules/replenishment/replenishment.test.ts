/**
 * Replenishment on a fixture with hand-computed answers: the order-up-to arithmetic, store-to-store
 * pairing, and over HTTP the suggestions (with the purchase-request CSV), accepting one as a
 * transfer from the DC, transfer suggestions and a campaign stock-up with pre-sale reservations.
 * The forecast is a fixture run written straight into the forecasts tables (the test's own data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { normalQuantile } from './normal';
import { rebalanceSku, type StoreSku } from './rebalance';
import { replenish } from './suggestions';

const Z95 = normalQuantile(0.95); // 1.6449

describe('replenish (order-up-to level, case packs)', () => {
  it('orders what brings the position back to forecast + z × sd, in whole case packs', () => {
    // 36 units over lead time + review period, sd 3: safety 4.93 → 5, reorder point ⌈40.93⌉ = 41
    const r = replenish({ on_hand: 5, reserved: 2, in_transit: 0, on_order: 0 }, { mean: 36, sd: 3 }, Z95, 12);
    expect(r).toEqual({
      position: 3,
      safety_stock: 5,
      reorder_point: 41,
      suggested_qty: 48,
      reason: 'below_reorder_point',
    });
    // in transit and on order count: position 41 needs nothing
    expect(
      replenish({ on_hand: 5, reserved: 2, in_transit: 30, on_order: 8 }, { mean: 36, sd: 3 }, Z95, 12),
    ).toMatchObject({
      position: 41,
      suggested_qty: 0,
      reason: 'covered',
    });
    // a case pack of 1 orders the exact shortfall; no forecast, no order
    expect(
      replenish({ on_hand: 0, reserved: 0, in_transit: 0, on_order: 0 }, { mean: 9.5, sd: 0 }, Z95, 1).suggested_qty,
    ).toBe(10);
    expect(replenish({ on_hand: 0, reserved: 0, in_transit: 0, on_order: 0 }, undefined, Z95, 6)).toMatchObject({
      suggested_qty: 0,
      reason: 'no_forecast',
    });
  });
});

describe('rebalanceSku', () => {
  const rules = { donor_cover_days: 28, max_km: 15, lead_time_days: 1, z: Z95 };
  const store = (position: number, giveable: number, lead: number, daily: number): StoreSku => ({
    position,
    giveable,
    lead: { mean: lead, sd: 0 },
    daily,
  });
  const km = (a: string, b: string) =>
    ({ 'a|b': 2, 'a|c': 5, 'b|c': 4, 'a|d': 40, 'b|d': 40, 'c|d': 40 })[[a, b].sort().join('|')]!;

  it('moves from the nearest store with spare cover, keeping its cover, within the distance', () => {
    const moves = rebalanceSku(
      'X',
      new Map([
        ['a', store(2, 2, 10, 5)], // will stock out: wants ⌈10⌉ − 2 = 8
        ['b', store(150, 145, 2, 2)], // 75 days of cover: keeps 56, gives min(145, 94)
        ['c', store(40, 40, 2, 1)], // 40 days: gives 12
        ['d', store(500, 500, 1, 1)], // far away
      ]),
      km,
      rules,
    );
    expect(moves).toEqual([
      {
        sku: 'X',
        from_location_id: 'b',
        to_location_id: 'a',
        km: 2,
        qty: 8,
        to_position: 2,
        to_lead_time_demand: 10,
        from_cover_days: 75,
      },
    ]);
  });

  it('takes from several donors when the nearest is short, and never from a store under the threshold', () => {
    const moves = rebalanceSku(
      'X',
      new Map([
        ['a', store(0, 0, 20, 5)],
        ['b', store(35, 35, 1, 1)], // 35 days of cover: gives 7
        ['c', store(40, 40, 1, 1)], // gives 12
        ['d', store(20, 20, 1, 1)], // 20 days: keeps all
      ]),
      km,
      rules,
    );
    expect(moves.map((m) => [m.from_location_id, m.qty])).toEqual([
      ['b', 7],
      ['c', 12],
    ]);
  });

  it('sends nothing to a store that expects to sell under half a unit within its lead time', () => {
    const stores = (lead: number) =>
      new Map([
        ['a', store(0, 0, lead, 0.1)],
        ['b', store(100, 100, 1, 1)],
      ]);
    expect(rebalanceSku('X', stores(0.4), km, rules)).toEqual([]);
    expect(rebalanceSku('X', stores(0.5), km, rules).map((m) => [m.from_location_id, m.qty])).toEqual([['b', 1]]);
  });
});

describe('replenishment over HTTP', () => {
  let s: TestServer;
  const today = new Date().toISOString().slice(0, 10);
  const dayOffset = (n: number) => new Date(Date.parse(today) + n * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    s = await startTestServer({ startDispatcher: false });
    await setupGoods(s);
    await must(s, 'POST', '/v1/products', {
      sku: 'YOG',
      name: '酸奶',
      category: 'fresh',
      list_price: 590,
      attributes: { case_pack: 12 },
    });
    await must(s, 'POST', '/v1/products', { sku: 'BREAD', name: '面包', category: 'fresh', list_price: 800 });
    for (const [loc, sku, n] of [
      ['dc1', 'YOG', 100],
      ['near', 'YOG', 5],
      ['mid', 'YOG', 120],
      ['near', 'BREAD', 50],
    ] as const)
      await must(s, 'PUT', `/v1/stock/${loc}/${sku}`, { on_hand: n, safety_stock: 0 });
    // an online order holds 2 of near's YOG: position 3
    await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'YOG', qty: 2 }],
      fulfillment: { type: 'pickup', location_id: 'near' },
    });
    const db = s.santong.ctx.database.db;
    await db
      .insertInto('forecast_runs')
      .values({
        id: 'fr_fixture',
        status: 'done',
        history_end: dayOffset(-1),
        horizon_days: 28,
        finished_at: new Date(),
      })
      .execute();
    const series = (location_id: string, sku: string, mean: number, sd: number) => ({
      run_id: 'fr_fixture',
      sku,
      location_id,
      model: 'fixture',
      history_start: dayOffset(-7),
      history: Array(7).fill(mean),
      mean: Array(28).fill(mean),
      lo: Array(28).fill(0),
      hi: Array(28).fill(mean * 2),
      sd: Array(28).fill(sd),
    });
    await db
      .insertInto('forecast_series')
      .values([
        series('near', 'YOG', 4, 1),
        series('near', 'BREAD', 1, 0),
        series('mid', 'YOG', 1, 0),
        series('dc1', 'YOG', 2, 0),
      ])
      .execute();
  });
  afterAll(async () => s?.close());

  it('suggests per SKU with its figures and reason, and as a purchase-request CSV', async () => {
    // near is supplied by dc1: 2 days lead + 7 days review = 9 days of 4 ± 1: 36, sd 3
    const r = await must(s, 'GET', '/v1/replenishment/suggestions?location_id=near');
    expect(r).toMatchObject({ location_id: 'near', source_id: 'dc1', action: 'transfer', service_level: 0.95 });
    expect(r.items).toEqual([
      {
        sku: 'YOG',
        name: '酸奶',
        case_pack: 12,
        on_hand: 5,
        reserved: 2,
        in_transit: 0,
        on_order: 0,
        position: 3,
        forecast: { mean: 36, sd: 3 },
        safety_stock: 5,
        reorder_point: 41,
        suggested_qty: 48,
        reason: 'below_reorder_point',
      },
    ]);
    const all = await must(s, 'GET', '/v1/replenishment/suggestions?location_id=near&all=true');
    expect(all.items.find((i: { sku: string }) => i.sku === 'BREAD')).toMatchObject({
      position: 50,
      reorder_point: 9,
      suggested_qty: 0,
      reason: 'covered',
    });
    // the DC buys from the supplier: 14 days of 2 = 28 < 100
    const dc = await must(s, 'GET', '/v1/replenishment/suggestions?location_id=dc1&all=true');
    expect(dc).toMatchObject({ source_id: 'supplier', action: 'purchase', lead_time_days: 7, review_period_days: 7 });
    expect(dc.items).toEqual([expect.objectContaining({ sku: 'YOG', reorder_point: 28, reason: 'covered' })]);

    const csv = await fetch(`${s.url}/v1/replenishment/suggestions?location_id=near`, {
      headers: { authorization: `Bearer ${s.adminKey}`, accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toBe(
      'location_id,source_id,sku,name,qty,case_pack,position,reorder_point\nnear,dc1,YOG,酸奶,48,12,3,41\n',
    );
  });

  it('follows the policy (service level, lead times per source) and refuses another store to its staff', async () => {
    const policy = await must(s, 'GET', '/v1/replenishment/policy');
    await must(s, 'PUT', '/v1/replenishment/policy', {
      ...policy,
      service_level: 0.5,
      sources: { ...policy.sources, dc1: { lead_time_days: 1, review_period_days: 3 } },
    });
    const r = await must(s, 'GET', '/v1/replenishment/suggestions?location_id=near');
    // 4 days of 4: 16, z = 0: reorder point 16, 13 short → 24
    expect(r.items[0]).toMatchObject({
      forecast: { mean: 16, sd: 2 },
      safety_stock: 0,
      reorder_point: 16,
      suggested_qty: 24,
    });
    await must(s, 'PUT', '/v1/replenishment/policy', policy);

    const bad = await s.api('PUT', '/v1/replenishment/policy', { ...policy, service_level: 1 });
    expect(bad.status).toBe(400);
    const staff = await s.keyFor('store_staff', { location_id: 'mid' });
    expect(
      (await s.api('GET', '/v1/replenishment/suggestions?location_id=near', undefined, { key: staff })).status,
    ).toBe(403);
    expect(
      (await s.api('GET', '/v1/replenishment/suggestions?location_id=mid', undefined, { key: staff })).status,
    ).toBe(200);
    expect((await s.api('GET', '/v1/replenishment/suggestions?location_id=nowhere')).status).toBe(422);
  });

  it('suggests store-to-store transfers from stores with spare cover to nearby stores that will stock out', async () => {
    // near: 2 days' lead of 4 ± 1 = 8, sd √2 → wants ⌈8 + 1.645 × 1.414⌉ − 3 = 8; mid (2 km) has 120 days of cover
    const r = await must(s, 'GET', '/v1/replenishment/transfer-suggestions?location_id=near');
    expect(r.items).toEqual([
      {
        sku: 'YOG',
        name: '酸奶',
        from_location_id: 'mid',
        to_location_id: 'near',
        km: expect.any(Number),
        qty: 8,
        to_position: 3,
        to_lead_time_demand: 8,
        from_cover_days: 120,
      },
    ]);
    expect(r.items[0].km).toBeLessThan(3);
    // accepted (a requested transfer): counted at both stores at once, so not suggested again
    const t = await must(s, 'POST', '/v1/transfers', {
      from_location_id: 'mid',
      to_location_id: 'near',
      origin: 'rebalance',
      lines: [{ sku: 'YOG', qty: 8 }],
    });
    expect((await must(s, 'GET', '/v1/replenishment/transfer-suggestions')).items).toEqual([]);
    await must(s, 'POST', `/v1/transfers/${t.id}/cancel`);
    expect((await must(s, 'GET', '/v1/replenishment/transfer-suggestions')).items).toHaveLength(1);
  });

  it('sizes a campaign stock-up per store and at the DC, with pre-sale reservations', async () => {
    const db = s.santong.ctx.database.db;
    await db
      .insertInto('presales')
      .values({
        id: 'ps_fixture',
        sku: 'YOG',
        title: '新口味',
        launch_at: new Date(),
        per_customer_limit: 5,
        status: 'open',
        deposit: 0,
      })
      .execute();
    await db
      .insertInto('presale_reservations')
      .values({
        id: 'pr_fixture',
        presale_id: 'ps_fixture',
        customer_id: 'c1',
        location_id: 'near',
        qty: 6,
        status: 'reserved',
        deposit: 0,
      })
      .execute();
    const plan = { starts_on: dayOffset(10), ends_on: dayOffset(16), skus: ['YOG'], uplift: 0.5 };
    const r = await must(s, 'POST', '/v1/replenishment/campaign-stock-up', plan);
    // near: 17 days of 4 ± 1 = 68 (sd √17), of which the campaign's 7 days 28; +50 % = 14; 6 reserved;
    // needed ⌈68 + 14 + 6 + 1.645 × 4.12⌉ = 95, position 3 → 92 → 96 (case packs of 12)
    expect(r.stores).toEqual([
      {
        location_id: 'near',
        source_id: 'dc1',
        sku: 'YOG',
        name: '酸奶',
        baseline: 28,
        uplift_units: 14,
        presale_units: 6,
        needed: 95,
        position: 3,
        stock_up_qty: 96,
      },
    ]);
    // dc1: its own 17 days of 2 = 34, of which the campaign's 14, +7: needs 41; sends 96; holds 100 → buys 37 → 48
    expect(r.dcs).toEqual([
      { location_id: 'dc1', sku: 'YOG', name: '酸奶', to_stores: 96, own_needed: 41, position: 100, purchase_qty: 48 },
    ]);
    const csv = await fetch(`${s.url}/v1/replenishment/campaign-stock-up`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminKey}`, accept: 'text/csv', 'content-type': 'application/json' },
      body: JSON.stringify(plan),
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toBe(
      'action,from_location_id,to_location_id,sku,name,qty\ntransfer,dc1,near,YOG,酸奶,96\npurchase,supplier,dc1,YOG,酸奶,48\n',
    );
    const without = await must(s, 'POST', '/v1/replenishment/campaign-stock-up', { ...plan, presales: false });
    expect(without.stores[0]).toMatchObject({ presale_units: 0, needed: 89, stock_up_qty: 96 });
    const bad = await s.api('POST', '/v1/replenishment/campaign-stock-up', { ...plan, ends_on: dayOffset(5) });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('ends_on');
  });

  it('accepts a suggestion as a transfer from the DC, counted on order until received', async () => {
    const r = await must(s, 'GET', '/v1/replenishment/suggestions?location_id=near');
    const t = await must(s, 'POST', '/v1/transfers', {
      from_location_id: r.source_id,
      to_location_id: 'near',
      origin: 'replenishment',
      lines: r.items.map((i: { sku: string; suggested_qty: number }) => ({ sku: i.sku, qty: i.suggested_qty })),
    });
    expect(t).toMatchObject({ origin: 'replenishment', lines: [{ sku: 'YOG', qty: 48 }] });
    const after = await must(s, 'GET', '/v1/replenishment/suggestions?location_id=near&all=true');
    expect(after.items.find((i: { sku: string }) => i.sku === 'YOG')).toMatchObject({
      on_order: 48,
      position: 51,
      suggested_qty: 0,
    });
    await must(s, 'POST', `/v1/transfers/${t.id}/ship`);
    expect(
      (await must(s, 'GET', '/v1/replenishment/suggestions?location_id=near&all=true')).items.find(
        (i: { sku: string }) => i.sku === 'YOG',
      ),
    ).toMatchObject({ in_transit: 48, on_order: 0, position: 51 });
    await must(s, 'POST', `/v1/transfers/${t.id}/receive`);
    expect(await stockAt(s, 'YOG', 'near')).toMatchObject({ on_hand: 53, in_transit: 0 });
  });
});
