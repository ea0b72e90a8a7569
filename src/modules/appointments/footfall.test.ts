import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { localDayHour } from '../../platform/nightly';

/**
 * Store footfall over HTTP: people-counter counts (idempotent per store, interval and counter),
 * intervals within one hour, store staff on their own store only, and footfall with conversion
 * (till sales ÷ visitors) in the store scorecard and league, per hour of the day.
 */
let s: TestServer;
const HOUR = 3_600_000;
// The counts go in the hour of the till sale made first (its placed_at, not the clock at load
// time), so sale and visitors share an hour and a day however the test straddles an hour's end.
let hourStart: number;
let localHour: number;
let today: string;
const iso = (ms: number) => new Date(ms).toISOString();
const count = (store: string, from: number, to: number, n: number, source = 'door-1', key?: string) =>
  s.api('POST', `/v1/stores/${store}/footfall`, { from: iso(from), to: iso(to), count: n, source }, key ? { key } : {});

beforeAll(async () => {
  s = await startTestServer();
  await setupGoods(s, { near: { MILK: 50 } });
  const sale = await must(s, 'POST', '/v1/orders', {
    channel: 'pos',
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'in_store', location_id: 'near' },
  });
  hourStart = Math.floor(Date.parse(sale.placed_at) / HOUR) * HOUR; // Asia/Shanghai is whole hours off UTC
  ({ day: today, hour: localHour } = localDayHour(new Date(hourStart), s.config.timezone));
}, 120_000);
afterAll(async () => s?.close());

describe('footfall', () => {
  it('records counts; the same store, interval and counter again replaces its count', async () => {
    const first = await count('near', hourStart, hourStart + HOUR / 2, 15);
    expect([first.status, first.body.replaced, first.body.count]).toEqual([201, false, 15]);
    const again = await count('near', hourStart, hourStart + HOUR / 2, 10);
    expect([again.status, again.body.replaced]).toEqual([200, true]);
    expect((await count('near', hourStart + HOUR / 2, hourStart + HOUR, 5)).status).toBe(201);
    expect((await count('near', hourStart + HOUR / 2, hourStart + HOUR, 5, 'door-2')).status).toBe(201);
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
    const q = `from=${today}&to=${today}`;
    // in_store_orders comes from the sales rollup, one dispatcher tick behind
    const end = Date.now() + 20_000;
    let card = await must(s, 'GET', `/v1/stores/near/scorecard?${q}`);
    while (card.in_store_orders < 1 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      card = await must(s, 'GET', `/v1/stores/near/scorecard?${q}`);
    }
    expect(card).toMatchObject({
      footfall_recorded: true,
      footfall: 20,
      in_store_orders: 1,
      footfall_conversion: 0.05,
    });
    expect(card.footfall_by_hour).toHaveLength(24);
    expect(card.footfall_by_hour[localHour]).toEqual({
      hour: localHour,
      footfall: 20,
      pos_orders: 1,
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
