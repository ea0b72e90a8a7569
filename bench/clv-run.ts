/**
 * CLV run on an existing database (issue 13: "CLV fit + scoring of everyone"): runClvNow, the
 * path of POST /v1/clv/runs and the nightly run (summary query, BG/NBD + Gamma-Gamma fit in a
 * worker thread, every customer's scores written), timed in parts, against the same run's bare
 * aggregate over the orders (`SELECT customer_id, max(placed_at), count(*), sum(total) FROM
 * orders GROUP BY 1`) as the baseline.
 *
 *   npx tsx bench/clv-run.ts --db URL [--rounds R]
 *
 * Calibrated to the demo's anchor day (its `demo_seed` setting), else today, in SANTONG_TIMEZONE.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { getSetting } from '../src/platform/settings';
import { DEFAULT_HORIZON_DAYS, localDay, runClvNow } from '../src/modules/clv/runs';
import { clvSummaries } from '../src/modules/clv/score';
import { fitAndPredict } from '../src/modules/clv/fit-in-thread';
import { currentTimezone } from '../src/modules/loyalty/points/expiry-date';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
if (!args.db) throw new Error('--db URL: a seeded database (e.g. santong_bench_1m, see BENCHMARKS.md)');
const database = await openDatabase({ databaseUrl: args.db, dataDir: '', poolSize: 2 });
try {
  await migrate(database);
  const demo = await getSetting<{ anchor?: string }>(database.db, 'demo_seed');
  const timezone = currentTimezone();
  const params = {
    calibrationEnd: localDay(demo?.anchor ? new Date(demo.anchor) : new Date(), timezone),
    horizonDays: DEFAULT_HORIZON_DAYS,
    timezone,
  };
  const timed = async <T>(f: () => Promise<T>): Promise<[number, T]> => {
    const t = performance.now();
    const v = await f();
    return [performance.now() - t, v];
  };
  const bare = () =>
    sql`SELECT customer_id, max(placed_at), count(*), sum(total) FROM orders GROUP BY 1`.execute(database.db);
  const rounds: Record<string, number>[] = [];
  const load = [os.loadavg()[0]];
  for (let i = 0; i < Number(args.rounds); i++) {
    const [bareMs] = await timed(bare);
    // the parts, as finishRun runs them (the write is what remains of the whole run)
    const [summaryMs, summaries] = await timed(() => clvSummaries(database.db, params.calibrationEnd, params.timezone));
    const [fitMs] = await timed(() => fitAndPredict(summaries, params.horizonDays));
    const [runMs, id] = await timed(() => runClvNow(database, params));
    const run = await sql<{ customers: number }>`SELECT customers FROM clv_runs WHERE id = ${id}`.execute(database.db);
    rounds.push({
      customers: run.rows[0]!.customers,
      bare_ms: Math.round(bareMs),
      summary_ms: Math.round(summaryMs),
      fit_and_predict_ms: Math.round(fitMs),
      run_ms: Math.round(runMs),
      ratio: Number((runMs / bareMs).toFixed(2)),
    });
    load.push(os.loadavg()[0]);
  }
  console.log(
    JSON.stringify({
      calibration_end: params.calibrationEnd,
      timezone,
      rounds,
      nproc: os.cpus().length,
      ram_gb: Math.round(os.totalmem() / 2 ** 30),
      load1: load.map((l) => Number(l.toFixed(2))),
    }),
  );
} finally {
  await database.close();
}
