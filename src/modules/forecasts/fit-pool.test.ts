import { describe, expect, it } from 'vitest';
import { Rng } from '../../demo/rng';
import type { SkuSeries } from './fit-chunk';
import { forecastInPool, forecastWorkers, type FittedSku } from './fit-pool';
import { forecastSku } from './panel';
import { syntheticSku } from './synthetic';

const HORIZON = 28;

/** 120 SKUs (three chunks and a part) of 5 stores, some with events, some series starting late. */
function skus(): [string, SkuSeries][] {
  const rng = new Rng(18);
  return Array.from({ length: 120 }, (_, i) => {
    const s = syntheticSku(rng, { locations: 5, days: 182, start: 20_000, horizon: HORIZON, eventChance: 0.2 });
    if (i % 7 === 0) {
      // a store whose first sale came late: shorter history, later start
      const late = s.stores[0];
      s.stores[0] = { ...late, start: late.start + 100, units: late.units.slice(100), uplift: late.uplift?.slice(100) };
    }
    return [`SKU-${i}`, s];
  });
}

async function inPool(workers: number): Promise<FittedSku[]> {
  const out: FittedSku[] = [];
  await forecastInPool(skus(), HORIZON, workers, async (fitted) => {
    out.push(...fitted);
    await new Promise((resolve) => setImmediate(resolve)); // a writer that takes its time
  });
  return out;
}

describe('the forecast fitting pool', () => {
  it('gives exactly what fitting on this thread gives, in the SKUs’ order, on 1 and 2 threads', async () => {
    const expected = skus().map(([sku, s]) => ({ sku, forecasts: forecastSku(s.stores, s.chain, HORIZON) }));
    expect(expected.some((e) => e.forecasts.some((f) => f.model !== 'ets'))).toBe(true);
    for (const workers of [1, 2]) {
      const got = await inPool(workers);
      expect(got.map((g) => g.sku)).toEqual(expected.map((e) => e.sku));
      got.forEach((g, i) => {
        const want = expected[i].forecasts;
        expect(g.forecasts.map((f) => [f.location, f.model])).toEqual(want.map((f) => [f.location, f.model]));
        g.forecasts.forEach((f, k) => {
          // bit for bit: the same code on the same inputs in another thread
          for (const key of ['mean', 'sd', 'lo', 'hi'] as const)
            expect(Array.from(f[key])).toEqual(Array.from(want[k][key]));
        });
      });
    }
  });

  it('fails the run when the writer fails, and stops its threads', async () => {
    let calls = 0;
    const run = forecastInPool(skus(), HORIZON, 2, async () => {
      if (++calls === 2) throw new Error('disk full');
    });
    await expect(run).rejects.toThrow('disk full');
  });

  it('takes its size from SANTONG_FORECAST_WORKERS, else leaves a core free (1 to 4)', () => {
    expect(forecastWorkers({ SANTONG_FORECAST_WORKERS: '3' })).toBe(3);
    const auto = forecastWorkers({});
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(4);
    expect(() => forecastWorkers({ SANTONG_FORECAST_WORKERS: '0' })).toThrow(/SANTONG_FORECAST_WORKERS/);
  });
});
