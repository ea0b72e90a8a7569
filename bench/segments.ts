/**
 * Membership upkeep of saved segments and computed tags (issue 13) on PostgreSQL: seeds the demo
 * retailer (its four saved segments and the four preset tags) into a scratch database, then times
 * (1) a full refresh of every segment (the rule over the whole base), (2) an incremental refresh
 * when nothing changed (the steady cost of one upkeep period), (3) the incremental refresh after
 * 10,000 new sales (copies of random past orders, placed now), which publishes the changes, and
 * (4) a full refresh after it, which must find nothing left to change (incremental == full). Usage: npx tsx bench/segments.ts [--pg URL] [--customers N]
 * [--orders N]; KEEP=1 leaves the scratch database behind. With --db URL it runs on an existing
 * demo database instead (santong_bench_1m): the demo's saved segments are created there first if
 * missing (timed: their first evaluation), and the new sales are deleted again at the end (the
 * memberships they changed are then one refresh behind). --only NAME[,NAME] refreshes only those.
 * A database without the per-person category rollup (from before migration 2960) has it built
 * first (timed: what category tags such as 母婴人群 read instead of every order line).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { KeyRing } from '../src/platform/crypto/keys';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { seedDemo } from '../src/demo/seed';
import { refreshSegment } from '../src/modules/segments/membership';
import { rebuildCategoryRollup, syncCategoryRollup } from '../src/modules/segments/category-rollup';
import { listSaved } from '../src/modules/segments/saved';
import { seedDemoSegments } from '../src/demo/segments';
import { adminQueryAt, databaseUrl } from './harness';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    customers: { type: 'string', default: '20000' },
    orders: { type: 'string', default: '10000' },
    db: { type: 'string' },
    // comma-separated names: refresh only these saved segments / tags (a full pass at 1 M is minutes each)
    only: { type: 'string' },
  },
});
const name = args.db ? null : `santong_bench_seg_${process.pid}`;
if (name) await adminQueryAt(args.pg, `CREATE DATABASE ${name}`);
const database = await openDatabase({
  databaseUrl: args.db ?? databaseUrl(args.pg, name!),
  dataDir: '',
  poolSize: 2,
});
const db = database.db;
try {
  await migrate(database);
  if (name) {
    const seeded = await seedDemo(database, new KeyRing(crypto.randomBytes(32)), {
      customers: Number(args.customers),
      months: 12,
      seed: 42,
      eventsPerCustomer: 3,
    });
    console.log(
      `seeded ${seeded.customers} customers, ${seeded.orders} orders, ${seeded.events} events in ${seeded.ms} ms`,
    );
  } else if (!args.only && (await listSaved(db, 'segment')).length === 0) {
    const t0 = performance.now();
    await seedDemoSegments(database);
    console.log(
      `demo segments and preset tags evaluated for the first time in ${Math.round(performance.now() - t0)} ms`,
    );
  }
  if (!(await syncCategoryRollup(db))) {
    const r = await rebuildCategoryRollup(db);
    console.log(`category rollup built in ${r.ms} ms: ${r.rows} rows`);
  }
  console.log(
    JSON.stringify({ nproc: os.cpus().length, ram_gb: Math.round(os.totalmem() / 2 ** 30), load1: os.loadavg()[0] }),
  );
  const segments = await sql<{ id: string; kind: string; name: string }>`
    SELECT id, kind, name FROM saved_segments
    WHERE ${args.only ? sql`name = ANY(${args.only.split(',')}::text[])` : sql`true`}
    ORDER BY (kind = 'tag') DESC, name`.execute(db);
  const refreshAll = async (full: boolean) => {
    const out: Record<string, unknown>[] = [];
    const started = performance.now();
    // as the upkeep task does: the category rollup synced once per pass, for every refresh in it
    const categoryRollup = await syncCategoryRollup(db);
    const syncMs = Math.round(performance.now() - started);
    for (const s of segments.rows) {
      const t = performance.now();
      let candidates: number | null = null;
      const r = await refreshSegment(db, s.id, { full, categoryRollup, onCandidates: (n) => (candidates = n) });
      out.push({ kind: s.kind, name: s.name, ...r, candidates, ms: Math.round(performance.now() - t) });
    }
    return {
      total_ms: Math.round(performance.now() - started),
      rollup_sync_ms: syncMs,
      load1: os.loadavg()[0],
      segments: out,
    };
  };
  console.log(JSON.stringify({ full: await refreshAll(true) }, null, 1));
  console.log(JSON.stringify({ incremental_unchanged: await refreshAll(false) }, null, 1));

  // N new sales now: copies of random past sales of known customers, with their lines.
  const n = Number(args.orders);
  const t = performance.now();
  await db.transaction().execute(async (tx) => {
    await sql`CREATE TEMP TABLE bench_o ON COMMIT DROP AS
      SELECT * FROM orders WHERE customer_id IS NOT NULL AND paid_at IS NOT NULL AND status = 'completed'
      ORDER BY random() LIMIT ${n}`.execute(tx);
    await sql`CREATE TEMP TABLE bench_l ON COMMIT DROP AS
      SELECT l.* FROM order_lines l JOIN bench_o o ON o.id = l.order_id`.execute(tx);
    await sql`UPDATE bench_l SET order_id = 'bench_' || order_id`.execute(tx);
    await sql`UPDATE bench_o SET id = 'bench_' || id, placed_at = now(), paid_at = now(), updated_at = now(),
      payment_ref = CASE WHEN payment_ref IS NULL THEN NULL ELSE 'bench_' || payment_ref END,
      pickup_code = NULL`.execute(tx);
    await sql`INSERT INTO orders SELECT * FROM bench_o`.execute(tx);
    await sql`INSERT INTO order_lines SELECT * FROM bench_l`.execute(tx);
  });
  console.log(`inserted ${n} sales in ${Math.round(performance.now() - t)} ms`);
  await sql`ANALYZE orders`.execute(db);
  console.log(JSON.stringify({ incremental_after_new_orders: await refreshAll(false) }, null, 1));
  console.log(JSON.stringify({ full_after_incremental: await refreshAll(true) }, null, 1));
  const events = await sql<{ type: string; n: string }>`
    SELECT type, count(*)::text AS n FROM outbox WHERE type LIKE 'segment.%' OR type LIKE 'tag.%' GROUP BY 1 ORDER BY 1`.execute(
    db,
  );
  console.log(JSON.stringify({ published: Object.fromEntries(events.rows.map((r) => [r.type, Number(r.n)])) }));
  console.log(JSON.stringify({ load1: os.loadavg()[0] }));
  if (!name) {
    await sql`DELETE FROM order_lines WHERE order_id LIKE 'bench\_%'`.execute(db);
    await sql`DELETE FROM orders WHERE id LIKE 'bench\_%'`.execute(db);
    // a deletion is in no change feed: the rollup is counted again
    await rebuildCategoryRollup(db);
    // the memberships they changed are now one refresh behind: the next run starts with a full refresh
  }
} finally {
  await database.close();
  if (name && !process.env.KEEP) await adminQueryAt(args.pg, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
