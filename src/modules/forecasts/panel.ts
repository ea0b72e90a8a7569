import { weekday } from './days';
import { forecastSeries, Z80, type ModelName } from './methods';

/**
 * Forecasting many series at once: the daily histories of one SKU's series (its stores and its
 * chain total) fitted one by one, then the stores reconciled to the chain total.
 */

export interface SeriesInput {
  location: string;
  /** Day number of units[0] (the series' first sale in the window). */
  start: number;
  units: Float64Array;
  /** Known demand multiples from `start` through the horizon (units.length + horizon), or none. */
  uplift?: Float64Array;
}

export interface SeriesForecast {
  location: string;
  model: ModelName;
  mean: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  sd: Float64Array;
}

/**
 * One SKU: every store series and the chain series (`chain`, the sum over stores) forecast, then
 * each day's store forecasts scaled to add up to the chain's (top-down by forecast proportions,
 * Athanasopoulos, Ahmed & Hyndman 2009): the chain total is the steadier series, the stores give
 * its split. Store standard deviations scale with their means; intervals are mean ± z₈₀·sd, ≥ 0.
 */
export function forecastSku(stores: readonly SeriesInput[], chain: SeriesInput, horizon: number): SeriesForecast[] {
  const fit = (s: SeriesInput) => {
    const f = forecastSeries(s.units, { horizon, weekday0: weekday(s.start), uplift: s.uplift });
    return { location: s.location, model: f.model, mean: f.mean, sd: f.sd };
  };
  const total = fit(chain);
  const parts = stores.map(fit);
  for (let h = 0; h < horizon; h++) {
    let sum = 0;
    for (const p of parts) sum += p.mean[h];
    const k = sum > 0 ? total.mean[h] / sum : 0;
    if (sum > 0)
      for (const p of parts) {
        p.mean[h] *= k;
        p.sd[h] *= k;
      }
    // no store expects a sale that day: the chain's forecast has nowhere to go, and is 0 too
    else total.mean[h] = 0;
  }
  return [...parts, total].map((f) => {
    const lo = new Float64Array(horizon);
    const hi = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      lo[h] = Math.max(0, f.mean[h] - Z80 * f.sd[h]);
      hi[h] = f.mean[h] + Z80 * f.sd[h];
    }
    return { ...f, lo, hi };
  });
}
