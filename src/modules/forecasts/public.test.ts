import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { dailyForecast, leadTimeDemand } from './public';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

describe('forecasts public: leadTimeDemand and dailyForecast', () => {
  it('is empty before any run, then sums the latest done run', async () => {
    const db = s.santong.ctx.database.db;
    expect((await leadTimeDemand(db, { locationId: 'loc_a', days: 7 })).size).toBe(0);
    expect(await dailyForecast(db, { sku: 'A', locationId: 'loc_a' })).toBeNull();

    await db
      .insertInto('forecast_runs')
      .values([
        { id: 'fr_old', status: 'done', history_end: '2026-05-31', horizon_days: 3, finished_at: new Date(1000) },
        { id: 'fr_new', status: 'done', history_end: '2026-06-01', horizon_days: 3, finished_at: new Date(2000) },
        { id: 'fr_run', status: 'running', history_end: '2026-06-02', horizon_days: 3 },
      ])
      .execute();
    const series = (run: string, sku: string, mean: number[], sd: number[]) => ({
      run_id: run,
      sku,
      location_id: 'loc_a',
      model: 'tsb',
      history_start: '2026-05-30',
      history: [1, 0, 2],
      mean,
      lo: mean.map(() => 0),
      hi: mean.map((m) => m * 2),
      sd,
    });
    await db
      .insertInto('forecast_series')
      .values([
        series('fr_old', 'A', [100, 100, 100], [1, 1, 1]),
        series('fr_new', 'A', [1, 2, 3], [3, 4, 12]),
        series('fr_new', 'B', [0.5, 0.5, 0.5], [0, 0, 0]),
      ])
      .execute();

    const two = await leadTimeDemand(db, { locationId: 'loc_a', days: 2 });
    expect(two.get('A')).toEqual({ mean: 3, sd: 5 }); // √(9 + 16)
    expect(two.get('B')).toEqual({ mean: 1, sd: 0 });
    // 5 days over a 3-day horizon: two more days at the last (3-day) week's average 2, variance (9+16+144)/3
    const five = await leadTimeDemand(db, { locationId: 'loc_a', days: 5, skus: ['A'] });
    expect(five.size).toBe(1);
    expect(five.get('A')!.mean).toBeCloseTo(10, 9);
    expect(five.get('A')!.sd).toBeCloseTo(Math.sqrt(169 + (2 * 169) / 3), 9);
    expect((await leadTimeDemand(db, { locationId: 'loc_b', days: 5 })).size).toBe(0);

    const f = await dailyForecast(db, { sku: 'A', locationId: 'loc_a' });
    expect(f).toMatchObject({ runId: 'fr_new', model: 'tsb', historyEnd: '2026-06-01' });
    expect(f!.history).toEqual([
      { day: '2026-05-30', units: 1 },
      { day: '2026-05-31', units: 0 },
      { day: '2026-06-01', units: 2 },
    ]);
    expect(f!.forecast[0]).toEqual({ day: '2026-06-02', mean: 1, lo: 0, hi: 2, sd: 3 });
    expect(f!.forecast).toHaveLength(3);
  });
});
