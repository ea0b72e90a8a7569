import type { Rng } from '../../demo/rng';
import type { SkuSeries } from './fit-chunk';
import type { SeriesInput } from './panel';
import { CHAIN } from './tables';

/**
 * Synthetic sales histories for the run benchmark and the pool's tests: per store a third steady
 * sellers (Poisson, 1–10 a day, a weekday pattern), the rest slow (Poisson, 0.02–0.5 a day); the
 * chain series is their sum. With `eventChance`, a store series carries a 2× event on a few days.
 */
const WEEKDAY = [1, 1, 1, 1.1, 1.3, 1.5, 1.2];

function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

export function syntheticSku(
  rng: Rng,
  opts: { locations: number; days: number; start: number; horizon: number; eventChance?: number },
): SkuSeries {
  const { locations, days, start, horizon } = opts;
  const stores: SeriesInput[] = [];
  const chain = new Float64Array(days);
  for (let l = 0; l < locations; l++) {
    const steady = rng.next() < 1 / 3;
    const mean = steady ? 1 + 9 * rng.next() : 0.02 + 0.48 * rng.next();
    const units = new Float64Array(days);
    for (let t = 0; t < days; t++) {
      units[t] = poisson(rng, mean * WEEKDAY[(start + t) % 7]);
      chain[t] += units[t];
    }
    const series: SeriesInput = { location: `L${l}`, start, units };
    if (rng.next() < (opts.eventChance ?? 0)) {
      series.uplift = new Float64Array(days + horizon).fill(1);
      for (const t of [days - 20, days - 19, days + 3]) series.uplift[t] = 2;
    }
    stores.push(series);
  }
  return { stores, chain: { location: CHAIN, start, units: chain } };
}
