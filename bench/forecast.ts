/**
 * Forecast run benchmark, in memory (no database): synthetic daily history (182 days) for SKUs ×
 * locations (src/modules/forecasts/synthetic.ts), every SKU forecast and reconciled exactly as a
 * run does (forecastSku: each store series and the chain total fitted, the method chosen on a
 * holdout, stores reconciled), 28 days, on the run's pool of `--workers` threads. SKUs are
 * generated as the pool takes them, so memory does not grow with their number.
 *
 * Same-run baseline: the first `--baseline` SKUs fitted on this thread first (the path before the
 * pool); the pool's results for them must be identical, and the ratio of the two rates is printed.
 * On a shared machine wall time overstates the work: CPU seconds (the process's, all threads) and
 * the load average are printed too.
 *
 *   npx tsx bench/forecast.ts [--skus 500] [--locations 13] [--workers 1] [--baseline 200] [--seed 1]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Rng } from '../src/demo/rng';
import type { SkuSeries } from '../src/modules/forecasts/fit-chunk';
import { forecastInPool } from '../src/modules/forecasts/fit-pool';
import { forecastSku, type SeriesForecast } from '../src/modules/forecasts/panel';
import { syntheticSku } from '../src/modules/forecasts/synthetic';
import { positiveInt } from './stats';

const { values: args } = parseArgs({
  options: {
    skus: { type: 'string', default: '500' },
    locations: { type: 'string', default: '13' },
    workers: { type: 'string', default: '1' },
    baseline: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
  strict: true,
});
const SKUS = positiveInt(args.skus, 'skus');
const LOCATIONS = positiveInt(args.locations, 'locations');
const WORKERS = positiveInt(args.workers, 'workers');
const BASELINE = Math.min(SKUS, positiveInt(args.baseline, 'baseline'));
const SEED = positiveInt(args.seed, 'seed');
const SHAPE = { locations: LOCATIONS, days: 182, start: 20_000, horizon: 28 };

function* generate(n: number): Generator<[string, SkuSeries]> {
  const rng = new Rng(SEED);
  for (let s = 0; s < n; s++) yield [`S${s}`, syntheticSku(rng, SHAPE)];
}

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const load0 = os.loadavg();

// the baseline: the first SKUs on this thread
let t0 = performance.now();
let c0 = process.cpuUsage();
const reference: SeriesForecast[][] = [];
let baselineSeries = 0;
for (const [, s] of generate(BASELINE)) {
  reference.push(forecastSku(s.stores, s.chain, SHAPE.horizon));
  baselineSeries += s.stores.length + 1;
}
const baseWall = (performance.now() - t0) / 1000;
const baseCpu = cpuSeconds(process.cpuUsage(c0));

// the run: every SKU on the pool
t0 = performance.now();
c0 = process.cpuUsage();
let series = 0;
let skuIndex = 0;
let identical = true;
let checksum = 0;
await forecastInPool(generate(SKUS), SHAPE.horizon, WORKERS, async (fitted) => {
  for (const { forecasts } of fitted) {
    const want = reference[skuIndex++];
    if (want)
      forecasts.forEach((f, k) => {
        for (let h = 0; h < SHAPE.horizon; h++) if (!Object.is(f.mean[h], want[k].mean[h])) identical = false;
      });
    series += forecasts.length;
    checksum += forecasts[forecasts.length - 1].mean[0];
  }
});
const wall = (performance.now() - t0) / 1000;
const cpu = cpuSeconds(process.cpuUsage(c0));

const rate = (n: number, s: number) => Math.round(n / s);
process.stdout.write(
  JSON.stringify({
    skus: SKUS,
    locations: LOCATIONS,
    series,
    workers: WORKERS,
    cores: os.availableParallelism(),
    load_avg_before: load0.map((l) => +l.toFixed(2)),
    load_avg_after: os.loadavg().map((l) => +l.toFixed(2)),
    wall_s: +wall.toFixed(2),
    cpu_s: +cpu.toFixed(2),
    series_per_wall_s: rate(series, wall),
    series_per_cpu_s: rate(series, cpu),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    baseline: {
      skus: BASELINE,
      series: baselineSeries,
      wall_s: +baseWall.toFixed(2),
      cpu_s: +baseCpu.toFixed(2),
      series_per_wall_s: rate(baselineSeries, baseWall),
      series_per_cpu_s: rate(baselineSeries, baseCpu),
    },
    // the pool's rate over this thread's, same run (wall: what the threads buy; CPU: what they cost)
    ratio_wall: +(series / wall / (baselineSeries / baseWall)).toFixed(2),
    ratio_cpu: +(series / cpu / (baselineSeries / baseCpu)).toFixed(2),
    identical_to_baseline: identical,
    checksum: +checksum.toFixed(3),
  }) + '\n',
);
