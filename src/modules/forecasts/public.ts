import type { Queryable } from '../../platform/db/database';
import { addDays } from './days';

/**
 * What other modules may know of demand forecasts: these functions, never the tables. A SKU's
 * chain total (the sum over stores, reconciled) is under the location id '*'.
 */

async function latestRun(db: Queryable): Promise<{ id: string; history_end: string } | undefined> {
  return db
    .selectFrom('forecast_runs')
    .select(['id', (eb) => eb.cast<string>('history_end', 'text').as('history_end')])
    .where('status', '=', 'done')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Expected units per SKU at a location over the next `days` days (from the day after the latest
 * done run's history end) and the standard deviation of that sum — the daily forecast errors taken
 * as independent, so sd = √Σ sd_h². Beyond the run's horizon each extra day repeats the last
 * forecast week's average. An empty map before any run is done; SKUs without a series are absent.
 */
export async function leadTimeDemand(
  db: Queryable,
  opts: { locationId: string; days: number; skus?: string[] },
): Promise<Map<string, { mean: number; sd: number }>> {
  const out = new Map<string, { mean: number; sd: number }>();
  const run = await latestRun(db);
  if (!run || opts.days <= 0 || (opts.skus && opts.skus.length === 0)) return out;
  let q = db
    .selectFrom('forecast_series')
    .select(['sku', 'mean', 'sd'])
    .where('run_id', '=', run.id)
    .where('location_id', '=', opts.locationId);
  if (opts.skus) q = q.where('sku', 'in', opts.skus);
  for (const r of await q.execute()) out.set(r.sku, sumOverDays(r.mean, r.sd, opts.days));
  return out;
}

function sumOverDays(mean: number[], sd: number[], days: number): { mean: number; sd: number } {
  const n = mean.length;
  const lastWeek = Math.min(7, n);
  let m = 0;
  let v = 0;
  let weekMean = 0;
  let weekVar = 0;
  for (let h = 0; h < n; h++) {
    if (h < days) {
      m += mean[h];
      v += sd[h] * sd[h];
    }
    if (h >= n - lastWeek) {
      weekMean += mean[h] / lastWeek;
      weekVar += (sd[h] * sd[h]) / lastWeek;
    }
  }
  const extra = Math.max(0, days - n);
  return { mean: m + extra * weekMean, sd: Math.sqrt(v + extra * weekVar) };
}

export interface DailyForecast {
  runId: string;
  model: string;
  /** The last day of history; forecast[0] is the day after. */
  historyEnd: string;
  history: { day: string; units: number }[];
  forecast: { day: string; mean: number; lo: number; hi: number; sd: number }[];
}

/**
 * A SKU's daily forecast at a location ('*': the chain total) from the latest done run,
 * with the daily history it was fitted on; null when there is no run or no such series.
 */
export async function dailyForecast(
  db: Queryable,
  opts: { sku: string; locationId: string },
): Promise<DailyForecast | null> {
  const run = await latestRun(db);
  if (!run) return null;
  const s = await db
    .selectFrom('forecast_series')
    .select([
      'model',
      (eb) => eb.cast<string>('history_start', 'text').as('history_start'),
      'history',
      'mean',
      'lo',
      'hi',
      'sd',
    ])
    .where('run_id', '=', run.id)
    .where('location_id', '=', opts.locationId)
    .where('sku', '=', opts.sku)
    .executeTakeFirst();
  if (!s) return null;
  return {
    runId: run.id,
    model: s.model,
    historyEnd: run.history_end,
    history: s.history.map((units, i) => ({ day: addDays(s.history_start, i), units })),
    forecast: s.mean.map((mean, i) => ({
      day: addDays(run.history_end, i + 1),
      mean,
      lo: s.lo[i],
      hi: s.hi[i],
      sd: s.sd[i],
    })),
  };
}
