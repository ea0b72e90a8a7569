/**
 * Low-stock protection: when orders drive a SKU's online stock in a region below the threshold,
 * `stock.low` is published once per crossing and promotions on the SKU pause; a receipt that
 * brings it back publishes `stock.restored` once and resumes them. A region given by a point and
 * a radius counts only the stores inside it. The dispatcher is driven by hand (runOnce).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, HOME, LOCS, must, setupGoods } from '../../../test/fixtures/goods';
import { haversineKm } from '../routing/geo';
import { promotionsPaused } from './low-stock';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 100 }, mid: { MILK: 100 } });
  await settle();
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;

/** Runs the dispatcher until the outbox is drained (events published by subscribers included). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) if ((await s.santong.ctx.dispatcher.runOnce()).fannedOut === 0) return;
  throw new Error('outbox did not drain');
}

/** The low-stock events of a SKU in a region, oldest first, as the outbox holds them. */
async function alerts(sku: string, region: string) {
  const rows = await db()
    .selectFrom('outbox')
    .select(['type', 'payload', 'dispatched_at'])
    .where('aggregate_type', '=', 'stock_region')
    .where('aggregate_id', '=', `${region}:${sku}`)
    .orderBy('id')
    .execute();
  for (const r of rows) expect(r.dispatched_at, `${r.type} was dispatched`).not.toBeNull();
  return rows.map((r) => ({
    type: r.type,
    ...(r.payload as { online_available: number; threshold: number; promotions_paused: boolean }),
  }));
}

async function pauses(sku: string) {
  return db()
    .selectFrom('promotion_pauses')
    .select(['region', 'reason', 'resumed_at'])
    .where('sku', '=', sku)
    .orderBy('paused_at')
    .execute();
}

async function lowList() {
  return (await must(s, 'GET', '/v1/stock/low')).items as {
    sku: string;
    region: string;
    online_available: number;
    threshold: number;
  }[];
}

async function product(sku: string, stock: Record<string, number>) {
  await must(s, 'POST', '/v1/products', { sku, name: sku, category: 'snacks', list_price: 300 });
  for (const [loc, n] of Object.entries(stock))
    await must(s, 'PUT', `/v1/stock/${loc}/${sku}`, { on_hand: n, safety_stock: 0 });
}

const order = (sku: string, qty: number, location_id = 'near') =>
  must(s, 'POST', '/v1/orders', {
    channel: 'app',
    lines: [{ sku, qty }],
    fulfillment: { type: 'pickup', location_id },
  });

describe('low-stock protection with the default policy (threshold 5, all stores)', () => {
  it('publishes stock.low once per crossing, lists the SKU and pauses its promotions; a receipt restores it once', async () => {
    expect(await must(s, 'GET', '/v1/stock/low-stock-policy')).toEqual({ threshold: 5, regions: [{ id: 'all' }] });
    // The DC's 50 do not count: only stores (and dark stores) sell online stock in a region.
    await product('LOW-A', { near: 8, mid: 0, dc1: 50 });
    await settle();
    expect(await alerts('LOW-A', 'all')).toEqual([]);

    const first = await order('LOW-A', 2); // 6 left
    await settle();
    expect(await alerts('LOW-A', 'all')).toEqual([]);
    expect((await promotionsPaused(db(), 'LOW-A')).paused).toBe(false);

    await order('LOW-A', 2); // 4 left: below 5
    await settle();
    expect(await alerts('LOW-A', 'all')).toEqual([
      { type: 'stock.low', sku: 'LOW-A', region: 'all', online_available: 4, threshold: 5, promotions_paused: true },
    ]);

    // Further orders while low, a payment and a cancellation that stays below: no new event.
    await order('LOW-A', 1);
    await must(s, 'POST', '/v1/orders', {
      channel: 'web',
      lines: [{ sku: 'LOW-A', qty: 1 }],
      fulfillment: delivery('hour'),
    });
    await must(s, 'POST', `/v1/orders/${first.id}/pay`, { payment_ref: 'low-a-1' });
    await settle();
    expect((await alerts('LOW-A', 'all')).map((e) => e.type)).toEqual(['stock.low']);

    expect(await lowList()).toContainEqual(
      expect.objectContaining({ sku: 'LOW-A', region: 'all', online_available: 2, threshold: 5 }),
    );
    expect((await lowList()).map((l) => l.sku)).not.toContain('MILK');
    const active = (await pauses('LOW-A')).filter((p) => p.resumed_at === null);
    expect(active).toHaveLength(1);
    expect(active[0].region).toBe('all');
    const paused = await promotionsPaused(db(), 'LOW-A');
    expect(paused.paused).toBe(true);
    expect(paused.reason).toMatch(/below 5 in region all/);
    expect((await promotionsPaused(db(), 'LOW-A', 'all')).paused).toBe(true);
    expect(await promotionsPaused(db(), 'MILK')).toEqual({ paused: false, reason: null });

    // A receipt brings it back: stock.restored once, promotions resume.
    await must(s, 'POST', '/v1/stock/movements', {
      location_id: 'mid',
      sku: 'LOW-A',
      delta: 10,
      reason: 'receipt',
      ref: 'PO-LOW-A',
    });
    await settle();
    const events = await alerts('LOW-A', 'all');
    expect(events.map((e) => e.type)).toEqual(['stock.low', 'stock.restored']);
    expect(events[1]).toMatchObject({ online_available: 12, threshold: 5, promotions_paused: false });
    expect((await pauses('LOW-A')).every((p) => p.resumed_at !== null)).toBe(true);
    expect(await promotionsPaused(db(), 'LOW-A')).toEqual({ paused: false, reason: null });
    expect((await lowList()).map((l) => l.sku)).not.toContain('LOW-A');

    // More stock while ok: nothing.
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'near', sku: 'LOW-A', delta: 1, reason: 'receipt' });
    await settle();
    expect((await alerts('LOW-A', 'all')).map((e) => e.type)).toEqual(['stock.low', 'stock.restored']);
  });

  it('counts a second crossing as a new one, however many orders made it', async () => {
    await product('LOW-B', { near: 6, mid: 4 });
    await settle();
    expect(await alerts('LOW-B', 'all')).toEqual([]);
    // Three orders dispatched in one batch: one crossing, one event.
    await order('LOW-B', 2, 'near');
    await order('LOW-B', 2, 'mid');
    await order('LOW-B', 2, 'near');
    await settle();
    expect(await alerts('LOW-B', 'all')).toEqual([
      { type: 'stock.low', sku: 'LOW-B', region: 'all', online_available: 4, threshold: 5, promotions_paused: true },
    ]);

    // Back up by a count; down again by a till sale (which never blocks); an order while low changes
    // nothing; up again by a cancellation and a receipt.
    await must(s, 'PUT', '/v1/stock/mid/LOW-B', { on_hand: 10 });
    await settle();
    const sale = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      lines: [{ sku: 'LOW-B', qty: 9 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    expect(sale.status).toBe('completed');
    await settle();
    const held = await order('LOW-B', 1, 'near');
    await settle();
    expect((await promotionsPaused(db(), 'LOW-B')).paused).toBe(true);
    await must(s, 'POST', `/v1/orders/${held.id}/cancel`, {});
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'near', sku: 'LOW-B', delta: 3, reason: 'receipt' });
    await settle();
    expect((await alerts('LOW-B', 'all')).map((e) => [e.type, e.online_available])).toEqual([
      ['stock.low', 4],
      ['stock.restored', 10],
      ['stock.low', 2],
      ['stock.restored', 5],
    ]);
    const ps = await pauses('LOW-B');
    expect(ps).toHaveLength(2);
    expect(ps.every((p) => p.resumed_at !== null)).toBe(true);
    expect((await promotionsPaused(db(), 'LOW-B')).paused).toBe(false);
  });
});

describe('low-stock protection with a policy of its own', () => {
  const central = { id: 'central', lat: HOME.lat, lng: HOME.lng, radius_km: 5 };

  it('refuses a region with only part of a point and radius', async () => {
    const r = await s.api('PUT', '/v1/stock/low-stock-policy', { threshold: 10, regions: [{ id: 'half', lat: 31.2 }] });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'invalid_region', field: 'regions[0]' });
  });

  it('counts only the stores inside a region given by a point and a radius, against the policy threshold', async () => {
    // The fixture's geography: near and mid are inside 5 km of HOME, far is not.
    expect(haversineKm(HOME.lat, HOME.lng, LOCS.near.lat, LOCS.near.lng)).toBeLessThan(5);
    expect(haversineKm(HOME.lat, HOME.lng, LOCS.mid.lat, LOCS.mid.lng)).toBeLessThan(5);
    expect(haversineKm(HOME.lat, HOME.lng, LOCS.far.lat, LOCS.far.lng)).toBeGreaterThan(5);
    const policy = { threshold: 10, regions: [{ id: 'all' }, central] };
    expect(await must(s, 'PUT', '/v1/stock/low-stock-policy', policy)).toEqual(policy);
    expect(await must(s, 'GET', '/v1/stock/low-stock-policy')).toEqual(policy);

    await product('LOW-C', { near: 7, mid: 5, far: 30 });
    await settle();
    expect(await alerts('LOW-C', 'central')).toEqual([]);
    await order('LOW-C', 3, 'near'); // central 9 < 10; all 39
    await settle();
    expect(await alerts('LOW-C', 'central')).toEqual([
      {
        type: 'stock.low',
        sku: 'LOW-C',
        region: 'central',
        online_available: 9,
        threshold: 10,
        promotions_paused: true,
      },
    ]);
    expect(await alerts('LOW-C', 'all')).toEqual([]);
    const low = (await lowList()).filter((l) => l.sku === 'LOW-C');
    expect(low).toEqual([expect.objectContaining({ region: 'central', online_available: 9, threshold: 10 })]);
    expect((await promotionsPaused(db(), 'LOW-C', 'central')).paused).toBe(true);
    expect((await promotionsPaused(db(), 'LOW-C', 'all')).paused).toBe(false);
    expect((await promotionsPaused(db(), 'LOW-C')).paused).toBe(true);

    // Stock outside the region does not help it...
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'far', sku: 'LOW-C', delta: 50, reason: 'receipt' });
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'dc1', sku: 'LOW-C', delta: 50, reason: 'receipt' });
    await settle();
    expect((await alerts('LOW-C', 'central')).map((e) => e.type)).toEqual(['stock.low']);
    // ...stock inside it does.
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'mid', sku: 'LOW-C', delta: 1, reason: 'receipt' });
    await settle();
    expect((await alerts('LOW-C', 'central')).map((e) => [e.type, e.online_available])).toEqual([
      ['stock.low', 9],
      ['stock.restored', 10],
    ]);
    expect(await alerts('LOW-C', 'all')).toEqual([]);
    expect((await promotionsPaused(db(), 'LOW-C')).paused).toBe(false);
    expect((await lowList()).map((l) => l.sku)).not.toContain('LOW-C');

    // Far stock alone is low in 'all' only when the stores together are below the threshold.
    await product('LOW-D', { far: 8 });
    await settle();
    expect((await alerts('LOW-D', 'all')).map((e) => [e.type, e.online_available])).toEqual([['stock.low', 8]]);
    expect((await alerts('LOW-D', 'central')).map((e) => [e.type, e.online_available])).toEqual([['stock.low', 0]]);
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'far', sku: 'LOW-D', delta: 2, reason: 'receipt' });
    await settle();
    expect((await alerts('LOW-D', 'all')).map((e) => e.type)).toEqual(['stock.low', 'stock.restored']);
    expect((await alerts('LOW-D', 'central')).map((e) => e.type)).toEqual(['stock.low']);
    expect((await promotionsPaused(db(), 'LOW-D', 'all')).paused).toBe(false);
    expect((await promotionsPaused(db(), 'LOW-D', 'central')).paused).toBe(true);
  });
});
