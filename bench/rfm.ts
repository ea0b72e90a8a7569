/**
 * RFM run time against the bare aggregate over the same orders (issue 13: ratio ≤ 2), on
 * PostgreSQL, alternating the two and keeping the best of --rounds each.
 *
 *   npx tsx bench/rfm.ts --db URL [--rounds R] [--explain]     an existing, seeded database
 *   npx tsx bench/rfm.ts [--pg URL] [--customers N] [--rounds R] seeds a scratch database first
 *
 * With --db the run's as_of is the demo's anchor (its `demo_seed` setting), else now; the runs it
 * makes stay in the database like any run (only the latest done run keeps its scores). --explain
 * prints EXPLAIN (ANALYZE, BUFFERS) of the bare aggregate and of the run's statements first (rolled back).
 * KEEP=1 leaves a scratch database behind for probing with psql.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql, type RawBuilder } from 'kysely';
import { KeyRing } from '../src/platform/crypto/keys';
import { openDatabase, type Queryable } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { getSetting } from '../src/platform/settings';
import { seedDemo } from '../src/demo/seed';
import { runRfmNow } from '../src/modules/audiences/rfm-service';
import {
  binThresholds,
  salesPerCustomer,
  mergedIntoRoots,
  scoreRun,
  scoresPartition,
  scoringStatement,
} from '../src/modules/audiences/rfm-compute';
import { adminQueryAt, databaseUrl } from './harness';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    db: { type: 'string' },
    customers: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    explain: { type: 'boolean', default: false },
  },
});
const scratch = args.db ? null : `santong_bench_rfm_${process.pid}`;
if (scratch) await adminQueryAt(args.pg, `CREATE DATABASE ${scratch}`);
const database = await openDatabase({
  databaseUrl: args.db ?? databaseUrl(args.pg, scratch!),
  dataDir: '',
  poolSize: 2,
});
try {
  await migrate(database);
  let anchor = new Date();
  if (scratch) {
    const seeded = await seedDemo(database, new KeyRing(crypto.randomBytes(32)), {
      customers: Number(args.customers),
      months: 12,
      seed: 42,
      eventsPerCustomer: 0,
      anchor,
    });
    console.log(`seeded ${seeded.customers} customers, ${seeded.orders} orders in ${seeded.ms} ms`);
  } else {
    const demo = await getSetting<{ anchor?: string }>(database.db, 'demo_seed');
    if (demo?.anchor) anchor = new Date(demo.anchor);
  }
  const orders = await sql<{ n: string }>`SELECT count(*) AS n FROM orders`.execute(database.db);
  const bareStatement = sql`SELECT customer_id, max(placed_at), count(*), sum(total) FROM orders GROUP BY 1`;
  if (args.explain) {
    // the run's statements as scoreRun issues them, each under EXPLAIN ANALYZE, then rolled back
    const explain = async (tx: Queryable, q: RawBuilder<unknown>) => {
      const r = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${q}`.execute(tx);
      console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
    };
    console.log('--- bare aggregate');
    await explain(database.db, bareStatement);
    await database.db
      .transaction()
      .execute(async (tx) => {
        const run = { id: `rfm_explain_${process.pid}`, asOf: anchor, windowDays: 365 };
        await sql`INSERT INTO rfm_runs (id, as_of, window_days) VALUES (${run.id}, ${anchor}, 365)`.execute(tx);
        await sql`SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`.execute(tx);
        console.log('--- RFM: sales per person');
        await explain(tx, salesPerCustomer(run));
        console.log('--- RFM: merged groups');
        await explain(tx, mergedIntoRoots(run));
        const t = performance.now();
        const { thresholds } = await binThresholds(tx, run.id);
        console.log(`--- RFM: bin thresholds ${Math.round(performance.now() - t)} ms`, JSON.stringify(thresholds));
        await sql`CREATE TABLE ${scoresPartition(run.id)} (LIKE rfm_scores INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(
          tx,
        );
        console.log('--- RFM: scoring');
        await explain(tx, scoringStatement(run, thresholds));
        throw new Error('rollback');
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error && e.message === 'rollback')) throw e;
      });
  }
  if (args.explain) {
    // each step of scoreRun timed, in a transaction rolled back
    await database.db
      .transaction()
      .execute(async (tx) => {
        const run = { id: `rfm_steps_${process.pid}`, asOf: anchor, windowDays: 365 };
        await sql`INSERT INTO rfm_runs (id, as_of, window_days) VALUES (${run.id}, ${anchor}, 365)`.execute(tx);
        let t = performance.now();
        const steps: Record<string, number> = {};
        await scoreRun(tx, run, (step) => {
          steps[step] = Math.round(performance.now() - t);
          t = performance.now();
        });
        console.log('--- RFM steps (ms)', JSON.stringify(steps));
        throw new Error('rollback');
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error && e.message === 'rollback')) throw e;
      });
  }
  const timed = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const bare = () => bareStatement.execute(database.db);
  const all = { bare: [] as number[], rfm: [] as number[] };
  const load = [os.loadavg()[0]];
  for (let i = 0; i < Number(args.rounds); i++) {
    all.bare.push(await timed(bare));
    all.rfm.push(await timed(() => runRfmNow(database, { asOf: anchor, windowDays: 365 })));
    load.push(os.loadavg()[0]);
  }
  const best = { bare: Math.min(...all.bare), rfm: Math.min(...all.rfm) };
  const runs = await sql<{
    customers: number;
  }>`SELECT customers FROM rfm_runs WHERE status = 'done' ORDER BY finished_at DESC LIMIT 1`.execute(database.db);
  console.log(
    JSON.stringify({
      orders: Number(orders.rows[0]!.n),
      customers_scored: runs.rows[0]?.customers,
      as_of: anchor.toISOString(),
      bare_ms: all.bare.map(Math.round),
      rfm_ms: all.rfm.map(Math.round),
      best_bare_ms: Math.round(best.bare),
      best_rfm_ms: Math.round(best.rfm),
      ratio: Number((best.rfm / best.bare).toFixed(2)),
      nproc: os.cpus().length,
      ram_gb: Math.round(os.totalmem() / 2 ** 30),
      load1: load.map((l) => Number(l.toFixed(2))),
    }),
  );
} finally {
  await database.close();
  if (scratch && !process.env.KEEP) await adminQueryAt(args.pg, `DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
}
