import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/db';
import { Rng } from '../../demo/rng';
import { isoDay } from './days';
import type { FittedSku } from './fit-pool';
import { forecastSku } from './panel';
import { syntheticSku } from './synthetic';
import { writeSeries } from './write-series';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(async () => t?.drop());

describe('writeSeries (one unnest statement per chunk)', () => {
  it('stores every series of the chunk with its arrays exactly as fitted', async () => {
    const rng = new Rng(5);
    const fitted: FittedSku[] = ['W-1', 'W-2', 'W-3'].map((sku) => {
      const inputs = syntheticSku(rng, { locations: 3, days: 60, start: 20_400, horizon: 14, eventChance: 0.5 });
      return { sku, inputs, forecasts: forecastSku(inputs.stores, inputs.chain, 14) };
    });
    expect(await writeSeries(t.database.db, 'fr_w', fitted)).toBe(12);
    expect(await writeSeries(t.database.db, 'fr_w', [])).toBe(0);
    const rows = await t.database.db
      .selectFrom('forecast_series')
      .selectAll()
      .select((eb) => eb.cast<string>('history_start', 'text').as('history_start'))
      .where('run_id', '=', 'fr_w')
      .execute();
    expect(rows).toHaveLength(12);
    for (const { sku, inputs, forecasts } of fitted)
      forecasts.forEach((f, k) => {
        const row = rows.find((r) => r.sku === sku && r.location_id === f.location)!;
        const input = [...inputs.stores, inputs.chain][k];
        expect(row).toMatchObject({ model: f.model, history_start: isoDay(input.start) });
        // shortest round-trip text both ways: the same doubles, bit for bit
        expect(row.history).toEqual(Array.from(input.units));
        expect(row.mean).toEqual(Array.from(f.mean));
        expect(row.lo).toEqual(Array.from(f.lo));
        expect(row.hi).toEqual(Array.from(f.hi));
        expect(row.sd).toEqual(Array.from(f.sd));
      });
  });
});
