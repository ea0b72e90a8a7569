import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ demo: true });
}, 600_000);
afterAll(async () => s?.close());

describe('the demo retailer has forecasts', () => {
  it('a done run whose series have history and 28 days, and the events calendar', async () => {
    const events = (await s.api('GET', '/v1/forecast-events')).body.items;
    expect(events.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['618 年中大促', '双11']));
    const top = await s.santong.ctx.database.db
      .selectFrom('forecast_series')
      .select(['sku', 'location_id'])
      .where('location_id', '!=', '*')
      .limit(1)
      .executeTakeFirstOrThrow();
    const f = await s.api('GET', `/v1/forecasts?sku=${encodeURIComponent(top.sku)}&location_id=${top.location_id}`);
    expect(f.status).toBe(200);
    expect(f.body.forecast).toHaveLength(28);
    expect(f.body.history.length).toBeGreaterThan(0);
  });
});
