/**
 * Forecast run benchmark, in memory (no database): synthetic daily history (182 days) for SKUs ×
 * locations, every SKU forecast and reconciled exactly as a run does (forecastSku: each store
 * series and the chain total fitted, the method chosen on a holdout, stores reconciled), 28 days.
 * A third of the series are steady sellers (Poisson, 1–10 a day, weekday pattern), the rest slow
 * (Poisson, 0.02–0.5 a day). Reports wall and CPU time, series per second and the peak RSS; SKUs
 * are generated and fitted one at a time, so memory does not grow with their number.
 *
 *   npx tsx bench/forecast.ts [--skus 500] [--locations 13] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/demo/rng';
import { forecastSku, type SeriesInput } from '../src/modules/forecasts/panel';
import { positiveInt } from './stats';

const { values: args } = parseArgs({
  options: {
    skus: { type: 'string', default: '500' },
    locations: { type: 'string', default: '13' },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});
const SKUS = positiveInt(args.skus, 'skus');
const LOCATIONS = positiveInt(args.locations, 'locations');
const DAYS = 182;
const HORIZON = 28;
const START = 20_000; // a day number (a Monday is 19_999 + …; any day works)
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

const rng = new Rng(Number(args.seed));
let series = 0;
let fitMs = 0;
let checksum = 0;
const started = performance.now();
const cpu0 = process.cpuUsage();
for (let s = 0; s < SKUS; s++) {
  const stores: SeriesInput[] = [];
  const chainUnits = new Float64Array(DAYS);
  for (let l = 0; l < LOCATIONS; l++) {
    const steady = rng.next() < 1 / 3;
    const mean = steady ? 1 + 9 * rng.next() : 0.02 + 0.48 * rng.next();
    const units = new Float64Array(DAYS);
    for (let t = 0; t < DAYS; t++) {
      units[t] = poisson(rng, mean * WEEKDAY[(START + t) % 7]);
      chainUnits[t] += units[t];
    }
    stores.push({ location: `L${l}`, start: START, units });
  }
  const t0 = performance.now();
  const out = forecastSku(stores, { location: '*', start: START, units: chainUnits }, HORIZON);
  fitMs += performance.now() - t0;
  series += out.length;
  checksum += out[out.length - 1].mean[0];
}
const totalMs = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  JSON.stringify({
    skus: SKUS,
    locations: LOCATIONS,
    series,
    history_days: DAYS,
    horizon: HORIZON,
    fit_s: +(fitMs / 1000).toFixed(2),
    total_s: +(totalMs / 1000).toFixed(2),
    series_per_s: Math.round(series / (fitMs / 1000)),
    // on a shared machine wall time overstates the work: CPU seconds of this process (all of it)
    cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    peak_rss_mb: Math.round(peakRssMb),
    checksum: +checksum.toFixed(3),
  }) + '\n',
);
