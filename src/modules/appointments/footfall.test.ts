import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';

/**
 * Store footfall over HTTP: people-counter counts (idempotent per store, interval and counter),
 * intervals within one hour, store staff on their own store only, and footfall with conversion
 * (till sales ÷ visitors) in the store scorecard and league, per hour of the day.
 */
let s: TestServer;
const HOUR = 3_600_000;
// The current hour (Asia/Shanghai is a whole number of hours off UTC) and the retailer's day of it.
const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
const localHour = new Date(hourStart + 8 * HOUR).getUTCHours();
const today = new Date(hourStart + 8 * HOUR).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const count = (store: string, from: number, to: number, n: number, source = 'door-1', key?: string) =>
  s.api('POST', `/v1/stores/${store}/footfall`, { from: iso(from), to: iso(to), count: n, source }, key ? { key } : {});

beforeAll(async () => {
  s = await startTestServer();
  await setupGoods(s, { near: { MILK: 50 } });
}, 120_000);
afterAll(async () => s?.close());

describe('footfall', () => {
  it('records counts; the same store, interval and counter again replaces its count', async () => {
    const first = await count('near', hourStart, hourStart + HOUR / 2, 30);
    expect([first.status, first.body.replaced, first.body.count]).toEqual([201, false, 30]);
    const again = await count('near', hourStart, hourStart + HOUR / 2, 40);
    expect([again.status, again.body.replaced]).toEqual([200, true]);
    expect((await count('near', hourStart + HOUR / 2, hourStart + HOUR, 10)).status).toBe(201);
    expect((await count('near', hourStart + HOUR / 2, hourStart + HOUR, 10, 'door-2')).status).toBe(201);
  });

  it('refuses an interval across an hour or backwards (422 to), a location that is no store (404)', async () => {
    const across = await count('near', hourStart + HOUR / 2, hourStart + (3 * HOUR) / 2, 5);
    expect([across.status, across.body.error.code, across.body.error.field]).toEqual([422, 'footfall_interval', 'to']);
    expect((await count('near', hourStart + HOUR / 2, hourStart, 5)).status).toBe(422);
    expect((await count('dc1', hourStart, hourStart + HOUR, 5)).status).toBe(404);
    const negative = await s.api('POST', '/v1/stores/near/footfall', {
      from: iso(hourStart),
      to: iso(hourStart + HOUR),
      count: -1,
      source: 'door-1',
    });
    expect(negative.status).toBe(400);
  });

  it('store staff count their own store only', async () => {
    const key = await s.keyFor('store_staff', { location_id: 'mid' });
    expect((await count('near', hourStart, hourStart + HOUR, 5, 'x', key)).status).toBe(403);
    expect((await count('mid', hourStart, hourStart + HOUR, 8, 'door-1', key)).status).toBe(201);
  });

  it('the scorecard shows footfall and conversion (till sales ÷ visitors) by hour; the league the totals', async () => {
    for (let i = 0; i < 3; i++)
      await must(s, 'POST', '/v1/orders', {
        channel: 'pos',
        lines: [{ sku: 'MILK', qty: 1 }],
        fulfillment: { type: 'in_store', location_id: 'near' },
      });
    const q = `from=${today}&to=${today}`;
    // in_store_orders comes from the sales rollup, one dispatcher tick behind
    const end = Date.now() + 20_000;
    let card = await must(s, 'GET', `/v1/stores/near/scorecard?${q}`);
    while (card.in_store_orders < 3 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      card = await must(s, 'GET', `/v1/stores/near/scorecard?${q}`);
    }
    expect(card).toMatchObject({
      footfall_recorded: true,
      footfall: 60,
      in_store_orders: 3,
      footfall_conversion: 0.05,
    });
    expect(card.footfall_by_hour).toHaveLength(24);
    expect(card.footfall_by_hour[localHour]).toEqual({
      hour: localHour,
      footfall: 60,
      pos_orders: 3,
      conversion: 0.05,
    });
    expect(card.footfall_by_hour[(localHour + 1) % 24]).toEqual({
      hour: (localHour + 1) % 24,
      footfall: 0,
      pos_orders: 0,
      conversion: null,
    });
    const league = await must(s, 'GET', `/v1/analytics/stores?${q}`);
    const byId = (id: string) => league.stores.find((x: { location_id: string }) => x.location_id === id);
    expect(byId('mid')).toMatchObject({ footfall_recorded: true, footfall: 8, footfall_conversion: 0 });
    expect(byId('far')).toMatchObject({ footfall_recorded: false, footfall: 0, footfall_conversion: null });
  });
});
