/**
 * Segment preview with a behavioural condition (issue 13: < 2 s on the 1 M-customer demo): people
 * who viewed a product within 7 days and ordered within 30 days, through previewSegment (the
 * query POST /v1/segments/preview runs), against the same run's bare count of the event rows in
 * the 7-day window. Best of --rounds each, alternating. Then an all-time category purchase (the
 * preset 母婴人群's category, every sale ever: --category), previewed from the order lines and from
 * the per-person category rollup (category-rollup.ts; built first, timed, when the database has
 * none), alternating in the same run.
 *
 *   npx tsx bench/segment-preview.ts --db URL [--rounds R] [--explain] [--category C]
 *
 * The rule is evaluated at the demo's anchor (its `demo_seed` setting), else now.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { getSetting } from '../src/platform/settings';
import type { DB } from '../src/platform/db/schema';
import type { Kysely, RawBuilder } from 'kysely';
import { previewQuery, previewSegment } from '../src/modules/segments/preview';
import { rebuildCategoryRollup, syncCategoryRollup } from '../src/modules/segments/category-rollup';
import { parseRule } from '../src/modules/segments/rule';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    explain: { type: 'boolean', default: false },
    category: { type: 'string', default: 'mother_baby' },
  },
});
if (!args.db) throw new Error('--db URL: a seeded database (e.g. santong_bench_1m, see BENCHMARKS.md)');
const database = await openDatabase({ databaseUrl: args.db, dataDir: '', poolSize: 2 });
try {
  await migrate(database);
  const demo = await getSetting<{ anchor?: string }>(database.db, 'demo_seed');
  const asOf = demo?.anchor ? new Date(demo.anchor) : new Date();
  const rule = parseRule({
    all: [{ event: { type: 'product_viewed', within_days: 7 } }, { ordered: { within_days: 30 } }],
  });
  const since = new Date(asOf.getTime() - 7 * 86_400_000);
  const bare = sql<{ n: string }>`SELECT count(*) AS n FROM customer_events WHERE occurred_at > ${since}`;
  // as previewSegment runs it: JIT off, in a transaction
  const run = <T>(db: Kysely<DB>, q: RawBuilder<T>) =>
    db.transaction().execute(async (tx) => {
      await sql`SET LOCAL jit = off`.execute(tx);
      return q.execute(tx);
    });
  if (args.explain) {
    const q = previewQuery(rule, asOf);
    for (const [name, s] of [
      ['bare count', bare],
      ['preview', q],
    ] as const) {
      const r = await run(database.db, sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${s}`);
      console.log(`--- ${name}\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
    }
  }
  const timed = async <T>(f: () => Promise<T>): Promise<[number, T]> => {
    const t = performance.now();
    const v = await f();
    return [performance.now() - t, v];
  };
  const all = { bare: [] as number[], preview: [] as number[] };
  let size = 0;
  let events = 0;
  const load = [os.loadavg()[0]];
  for (let i = 0; i < Number(args.rounds); i++) {
    const [tb, b] = await timed(() => bare.execute(database.db));
    const [tp, p] = await timed(() => previewSegment(database.db, rule, asOf));
    all.bare.push(tb);
    all.preview.push(tp);
    events = Number(b.rows[0]!.n);
    size = p.size;
    load.push(os.loadavg()[0]);
  }
  // An all-time category purchase, from the order lines and from the rollup.
  let rollupBuild: { ms: number; rows: number } | null = null;
  if (!(await syncCategoryRollup(database.db))) rollupBuild = await rebuildCategoryRollup(database.db);
  const category = parseRule({ ordered: { category: args.category } });
  const byCategory = { lines: [] as number[], rollup: [] as number[], size: [] as number[] };
  for (let i = 0; i < Number(args.rounds); i++)
    for (const [k, categoryRollup] of [
      ['lines', false],
      ['rollup', true],
    ] as const) {
      const [ms, r] = await timed(() => run(database.db, previewQuery(category, asOf, { categoryRollup })));
      byCategory[k].push(ms);
      byCategory.size.push(Number(r.rows[0]!.size));
    }
  if (new Set(byCategory.size).size !== 1) throw new Error(`category sizes differ: ${byCategory.size.join(', ')}`);
  const customers = await sql<{ n: string }>`SELECT count(*) AS n FROM customers`.execute(database.db);
  const best = { bare: Math.min(...all.bare), preview: Math.min(...all.preview) };
  console.log(
    JSON.stringify({
      customers: Number(customers.rows[0]!.n),
      as_of: asOf.toISOString(),
      events_in_window: events,
      segment_size: size,
      bare_ms: all.bare.map(Math.round),
      preview_ms: all.preview.map(Math.round),
      best_bare_ms: Math.round(best.bare),
      best_preview_ms: Math.round(best.preview),
      ratio: Number((best.preview / best.bare).toFixed(2)),
      category: args.category,
      category_size: byCategory.size[0],
      rollup_build: rollupBuild,
      category_lines_ms: byCategory.lines.map(Math.round),
      category_rollup_ms: byCategory.rollup.map(Math.round),
      category_ratio_lines_to_rollup: Number(
        (Math.min(...byCategory.lines) / Math.min(...byCategory.rollup)).toFixed(1),
      ),
      nproc: os.cpus().length,
      ram_gb: Math.round(os.totalmem() / 2 ** 30),
      load1: load.map((l) => Number(l.toFixed(2))),
    }),
  );
} finally {
  await database.close();
}
