/**
 * A forecast run end to end on a database of its own (issue 18, the database side at scale):
 * synthetic sales (src/modules/forecasts/synthetic.ts; one completed in-store order of one line per
 * store, SKU and selling day) loaded with COPY, then runForecastNow — the path of POST
 * /v1/forecasts/runs and the nightly run: the sales aggregated per series in SQL, fitted on the
 * pool's threads, one row per series written chunk by chunk (unnest), the run marked done.
 * Prints the run's rows per second and the table's bytes per row; then the write alone on
 * `--write-sample` SKUs, writeSeries against the multi-row VALUES insert it replaced; and as the
 * baseline, the run's rows copied by the database itself (INSERT … SELECT, no client).
 *
 *   npx tsx bench/forecast-run-db.ts --db postgres://…/fcs_bench [--skus 1000] [--locations 20] [--workers 2]
 *
 * The database must be empty or one this script made (it adds its orders; --run-only runs again on them).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { Rng } from '../src/demo/rng';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { transact } from '../src/platform/db/transaction';
import type { FittedSku } from '../src/modules/forecasts/fit-pool';
import { forecastSku } from '../src/modules/forecasts/panel';
import { writeSeries } from '../src/modules/forecasts/write-series';
import { isoDay } from '../src/modules/forecasts/days';
import { runForecastNow } from '../src/modules/forecasts/runs';
import { syntheticSku } from '../src/modules/forecasts/synthetic';
import { positiveInt } from './stats';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    skus: { type: 'string', default: '1000' },
    locations: { type: 'string', default: '20' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'run-only': { type: 'boolean', default: false },
    'write-sample': { type: 'string', default: '200' },
  },
  strict: true,
});
if (!args.db) throw new Error('--db URL: a database of this benchmark (created empty, dropped after)');
const SKUS = positiveInt(args.skus, 'skus');
const LOCATIONS = positiveInt(args.locations, 'locations');
const WORKERS = positiveInt(args.workers, 'workers');
const WRITE_SAMPLE = positiveInt(args['write-sample'], 'write-sample');
const DAYS = 182;
const START = 20_574; // 2026-05-01
const TIMEZONE = 'Asia/Shanghai';
const historyEnd = isoDay(START + DAYS - 1);

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const database = await openDatabase({ databaseUrl: args.db, dataDir: '', poolSize: 4 });
try {
  await migrate(database);
  const load = [os.loadavg()[0]];
  let seed: Record<string, number> | null = null;
  if (!args['run-only']) {
    const t0 = performance.now();
    const rng = new Rng(positiveInt(args.seed, 'seed'));
    let orders: string[] = [];
    let lines: string[] = [];
    let n = 0;
    let bytes = 0;
    const flush = async () => {
      const o = orders.join('');
      const l = lines.join('');
      bytes += o.length + l.length;
      await database.copyCsv(
        'orders',
        ['id', 'channel', 'location_id', 'fulfillment_type', 'status', 'subtotal', 'total', 'placed_at', 'paid_at'],
        o,
      );
      await database.copyCsv('order_lines', ['order_id', 'line_no', 'sku', 'qty', 'unit_price', 'amount'], l, {
        trusted: true,
      });
      orders = [];
      lines = [];
    };
    for (let s = 0; s < SKUS; s++) {
      const sku = syntheticSku(rng, { locations: LOCATIONS, days: DAYS, start: START, horizon: 28 });
      for (const st of sku.stores)
        for (let t = 0; t < DAYS; t++) {
          if (st.units[t] === 0) continue;
          const id = `fb_${s}_${st.location}_${t}`;
          const at = `${isoDay(START + t)} 04:00:00+00`; // noon in Shanghai
          orders.push(`${id},pos,${st.location},in_store,completed,0,0,${at},${at}\n`);
          lines.push(`${id},1,SKU-${s},${st.units[t]},0,0\n`);
          n++;
        }
      if (orders.length >= 100_000) await flush();
    }
    await flush();
    await sql`ANALYZE orders`.execute(database.db);
    await sql`ANALYZE order_lines`.execute(database.db);
    const s = (performance.now() - t0) / 1000;
    seed = { orders: n, seconds: +s.toFixed(1), copy_mb_per_s: +(bytes / 2 ** 20 / s).toFixed(2) };
    load.push(os.loadavg()[0]);
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const id = await runForecastNow(database, { historyEnd, horizonDays: 28, timezone: TIMEZONE }, WORKERS);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(c0));
  load.push(os.loadavg()[0]);
  // sizes without the dead rows of an earlier run (the run drops older runs' series)
  await sql`VACUUM FULL forecast_series`.execute(database.db);
  const r = await sql<{ series: number; total: string; heap: string; avg_row: number; toasted: string }>`
    SELECT (SELECT series FROM forecast_runs WHERE id = ${id}) AS series,
      pg_total_relation_size('forecast_series')::text AS total,
      pg_relation_size('forecast_series')::text AS heap,
      (SELECT avg(pg_column_size(f.*))::float8 FROM forecast_series f WHERE run_id = ${id}) AS avg_row,
      (SELECT coalesce(pg_total_relation_size(reltoastrelid), 0)::text FROM pg_class
        WHERE oid = 'forecast_series'::regclass) AS toasted`.execute(database.db);
  const x = r.rows[0]!;
  // the write alone, on fitted SKUs of this shape: writeSeries (one unnest statement per chunk of 50
  // SKUs, as a run) against the insert the run used before (Kysely multi-row VALUES, 500 rows each)
  const sample: FittedSku[] = [];
  const rng = new Rng(99);
  for (let i = 0; i < WRITE_SAMPLE; i++) {
    const inputs = syntheticSku(rng, { locations: LOCATIONS, days: DAYS, start: START, horizon: 28 });
    sample.push({ sku: `W-${i}`, inputs, forecasts: forecastSku(inputs.stores, inputs.chain, 28) });
  }
  const w0 = performance.now();
  let cw = process.cpuUsage();
  for (let i = 0; i < sample.length; i += 50)
    await transact(database, (tx) => writeSeries(tx, 'fcs_unnest', sample.slice(i, i + 50)));
  const unnestS = (performance.now() - w0) / 1000;
  const unnestCpu = cpuSeconds(process.cpuUsage(cw));
  const rows = sample.flatMap(({ sku, inputs, forecasts }) =>
    forecasts.map((f, k) => {
      const input = [...inputs.stores, inputs.chain][k];
      return {
        run_id: 'fcs_values',
        sku,
        location_id: f.location,
        model: f.model,
        history_start: isoDay(input.start),
        history: Array.from(input.units),
        mean: Array.from(f.mean),
        lo: Array.from(f.lo),
        hi: Array.from(f.hi),
        sd: Array.from(f.sd),
      };
    }),
  );
  const v0 = performance.now();
  cw = process.cpuUsage();
  await transact(database, async (tx) => {
    for (let i = 0; i < rows.length; i += 500)
      await tx
        .insertInto('forecast_series')
        .values(rows.slice(i, i + 500))
        .execute();
  });
  const valuesS = (performance.now() - v0) / 1000;
  const valuesCpu = cpuSeconds(process.cpuUsage(cw));
  await sql`DELETE FROM forecast_series WHERE run_id IN ('fcs_unnest', 'fcs_values')`.execute(database.db);
  const write = {
    rows: rows.length,
    unnest_s: +unnestS.toFixed(2),
    unnest_rows_per_s: Math.round(rows.length / unnestS),
    // this process's CPU (array literals built, or the driver's parameters): the database's is apart
    unnest_client_cpu_s: +unnestCpu.toFixed(2),
    values_s: +valuesS.toFixed(2),
    values_rows_per_s: Math.round(rows.length / valuesS),
    values_client_cpu_s: +valuesCpu.toFixed(2),
  };

  // baseline of the write: the same rows copied by the database itself (no client, no fitting)
  const c = performance.now();
  await sql`INSERT INTO forecast_series SELECT 'fcs_copy', sku, location_id, model, history_start, history, mean, lo, hi, sd
    FROM forecast_series WHERE run_id = ${id}`.execute(database.db);
  const copyS = (performance.now() - c) / 1000;
  await sql`DELETE FROM forecast_series WHERE run_id = 'fcs_copy'`.execute(database.db);
  const mbps = (Number(x.total) / 2 ** 20 / wall).toFixed(2);
  console.log(
    JSON.stringify({
      skus: SKUS,
      locations: LOCATIONS,
      workers: WORKERS,
      history_end: historyEnd,
      seed,
      run: {
        series: x.series,
        wall_s: +wall.toFixed(1),
        cpu_s_this_process: +cpu.toFixed(1),
        rows_per_s: Math.round(x.series / wall),
        table_mb_per_s: +mbps,
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      bytes_per_row: {
        on_disk_with_indexes: Math.round(Number(x.total) / x.series),
        heap: Math.round(Number(x.heap) / x.series),
        toast_and_its_index: Math.round(Number(x.toasted) / x.series),
        stored_row_avg: Math.round(x.avg_row),
      },
      write,
      server_side_copy: { seconds: +copyS.toFixed(1), rows_per_s: Math.round(x.series / copyS) },
      ratio_run_to_server_side_copy: +(x.series / wall / (x.series / copyS)).toFixed(3),
      nproc: os.cpus().length,
      load1: load.map((l) => +l.toFixed(2)),
    }),
  );
} finally {
  await database.close();
}
