import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { isoDay } from './days';
import type { FittedSku } from './fit-pool';

/** A PostgreSQL array literal of numbers (JS's shortest round-trip form; float8 reads it back exactly). */
const arrayText = (a: ArrayLike<number>): string => `{${Array.prototype.join.call(a, ',')}}`;

/**
 * Fitted SKUs' series as rows of a run in one statement: each column one array parameter,
 * `unnest` turns them into rows (the daily arrays travel as array literals, cast back): ten
 * parameters however many rows, no per-row statement and no per-row parameters.
 */
export async function writeSeries(db: Queryable, runId: string, fitted: readonly FittedSku[]): Promise<number> {
  const cols = {
    sku: [] as string[],
    location: [] as string[],
    model: [] as string[],
    start: [] as string[],
    history: [] as string[],
    mean: [] as string[],
    lo: [] as string[],
    hi: [] as string[],
    sd: [] as string[],
  };
  for (const { sku, inputs, forecasts } of fitted) {
    const series = [...inputs.stores, inputs.chain];
    forecasts.forEach((f, i) => {
      cols.sku.push(sku);
      cols.location.push(f.location);
      cols.model.push(f.model);
      cols.start.push(isoDay(series[i].start));
      cols.history.push(arrayText(series[i].units));
      cols.mean.push(arrayText(f.mean));
      cols.lo.push(arrayText(f.lo));
      cols.hi.push(arrayText(f.hi));
      cols.sd.push(arrayText(f.sd));
    });
  }
  if (cols.sku.length === 0) return 0;
  await sql`
    INSERT INTO forecast_series (run_id, sku, location_id, model, history_start, history, mean, lo, hi, sd)
    SELECT ${runId}, u.sku, u.location_id, u.model, u.history_start,
      u.history::float8[], u.mean::float8[], u.lo::float8[], u.hi::float8[], u.sd::float8[]
    FROM unnest(${cols.sku}::text[], ${cols.location}::text[], ${cols.model}::text[], ${cols.start}::date[],
      ${cols.history}::text[], ${cols.mean}::text[], ${cols.lo}::text[], ${cols.hi}::text[], ${cols.sd}::text[])
      AS u(sku, location_id, model, history_start, history, mean, lo, hi, sd)`.execute(db);
  return cols.sku.length;
}
