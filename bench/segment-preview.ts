/**
 * Segment preview with a behavioural condition (issue 13: < 2 s on the 1 M-customer demo): people
 * who viewed a product within 7 days and ordered within 30 days, through previewSegment (the
 * query POST /v1/segments/preview runs), against the same run's bare count of the event rows in
 * the 7-day window. Best of --rounds each, alternating.
 *
 *   npx tsx bench/segment-preview.ts --db URL [--rounds R] [--explain]
 *
 * The rule is evaluated at the demo's anchor (its `demo_seed` setting), else now.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { getSetting } from '../src/platform/settings';
import { previewQuery, previewSegment } from '../src/modules/segments/preview';
import { parseRule } from '../src/modules/segments/rule';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    explain: { type: 'boolean', default: false },
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
  if (args.explain) {
    const q = previewQuery(rule, asOf);
    for (const [name, s] of [
      ['bare count', bare],
      ['preview', q],
    ] as const) {
      const r = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${s}`.execute(database.db);
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
      nproc: os.cpus().length,
      ram_gb: Math.round(os.totalmem() / 2 ** 30),
      load1: load.map((l) => Number(l.toFixed(2))),
    }),
  );
} finally {
  await database.close();
}
