/**
 * Event-triggered journeys under ingest load (issue 15): event → first action latency. A real
 * server (child process `node bin/santong.js start`, production settings, the journeys' runner
 * at its default tick unless --tick) on a scratch database runs an active journey triggered by
 * `product_viewed` (first step: add a tag) while C clients send batches of B events to POST
 * /v1/events as bench/ingest.ts does (its event types and shares: ~45% product_viewed; subjects by
 * customer_id of N known customers, not ingest's identifier mix). Each person enters once (the
 * journey does not re-enter), on their first product_viewed. Latency of an entry = its first
 * step's execution time (the runner's clock when it took the batch) − when the client began
 * POSTing the batch holding the trigger event; p50/p99 over all entries.
 *
 *   npx tsx bench/journey-latency.ts --db postgres://postgres@127.0.0.1:5432/scratch [--events 100000]
 *     [--batch 500] [--clients 4] [--customers 5000] [--tick 1000]
 *
 * Writes its own fixture into the given database: never a shared one (refuses santong_bench_*). The
 * server takes a random master key, so give it a fresh database each run.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { Rng } from '../src/demo/rng';
import { benchServerEnv } from './harness';
import { fmt, positiveInt, summarise } from './stats';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    events: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '500' },
    clients: { type: 'string', default: '4' },
    customers: { type: 'string', default: '5000' },
    tick: { type: 'string', default: '1000' },
  },
});
if (!args.db) throw new Error('--db URL is required (a scratch database)');
if (/\/santong_bench_/.test(args.db)) throw new Error('refusing to write to a shared santong_bench_* database');
const [events, batch, clients, customers] = (['events', 'batch', 'clients', 'customers'] as const).map((k) =>
  positiveInt(args[k], k),
);
const database = await openDatabase({ databaseUrl: args.db, dataDir: '', poolSize: 2 });
const db = database.db;
await migrate(database);
const run = crypto.randomBytes(4).toString('hex');
const people = Array.from({ length: customers! }, (_, i) => `jl${run}_${i}`);
await sql`INSERT INTO customers (id) SELECT x FROM unnest(${people}::text[]) AS x`.execute(db);

const adminKey = crypto.randomBytes(24).toString('hex');
const port = await new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const server = spawn(process.execPath, [path.join(ROOT, 'bin', 'santong.js'), 'start'], {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    ...benchServerEnv(args.db, adminKey, 'bench-journey-latency'),
    PORT: String(port),
    SANTONG_JOURNEY_TICK_MS: String(positiveInt(args.tick, 'tick')),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
try {
  for (const t0 = Date.now(); ;) {
    if (Date.now() - t0 > 120_000) throw new Error('server did not start in 120 s');
    if (
      await fetch(url + '/health').then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(url + p, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        'idempotency-key': crypto.randomUUID(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${method} ${p} → ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  const journey = await call('POST', '/v1/journeys', {
    name: `latency ${run}`,
    trigger: { event: { type: 'product_viewed' } },
    steps: [
      { id: 'tag', add_tag: `viewed_${run}` },
      { id: 'wait', wait: { duration: 'P3D' } },
    ],
  });
  await call('POST', `/v1/journeys/${journey.id as string}/activate`);

  // the load: ingest's event types and shares, customer_id subjects
  const rng = new Rng(1);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng.next() * xs.length)]!;
  const skus = Array.from({ length: 500 }, (_, i) => `SKU${String(i).padStart(4, '0')}`);
  const sentAt = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < events!) {
      const from = next;
      next = Math.min(events!, next + batch!);
      const list = [];
      for (let i = from; i < next; i++) {
        const t = rng.next();
        const [type, properties]: [string, Record<string, unknown>] =
          t < 0.45
            ? ['product_viewed', { sku: pick(skus), list: 'home' }]
            : t < 0.65
              ? ['page_view', { path: `/c/${Math.floor(rng.next() * 40)}` }]
              : t < 0.75
                ? ['search', { query: pick(['牛奶', '苹果', 'tv', '纸巾']) }]
                : t < 0.85
                  ? ['added_to_cart', { sku: pick(skus), qty: 1 }]
                  : ['video.played', { video: `v${Math.floor(rng.next() * 100)}`, seconds: 30 }];
        list.push({
          event_id: `${run}-${i}`,
          type,
          occurred_at: new Date().toISOString(),
          channel: 'app',
          customer_id: pick(people),
          properties,
        });
      }
      const at = Date.now();
      for (const e of list) sentAt.set(e.event_id, at);
      await call('POST', '/v1/events', { events: list });
    }
  };
  await Promise.all(Array.from({ length: clients! }, client));
  const loadSecs = (performance.now() - started) / 1000;

  // wait until every entry's first step ran (at most 120 s after the load)
  const pending = () =>
    sql<{ n: string }>`SELECT count(*) AS n FROM journey_enrolments e WHERE e.journey_id = ${journey.id as string}
      AND NOT EXISTS (SELECT 1 FROM journey_step_executions x WHERE x.enrolment_id = e.id AND x.step_id = 'tag')`.execute(
      db,
    );
  for (const t0 = Date.now(); Date.now() - t0 < 120_000 && Number((await pending()).rows[0]!.n) > 0;)
    await new Promise((r) => setTimeout(r, 500));
  const rows = (
    await sql<{ event_id: string; at: Date }>`
      SELECT e.trigger->>'event_id' AS event_id, x.executed_at AS at FROM journey_enrolments e
      JOIN journey_step_executions x ON x.enrolment_id = e.id AND x.step_id = 'tag'
      WHERE e.journey_id = ${journey.id as string}`.execute(db)
  ).rows;
  const lat = rows.map((r) => new Date(r.at).getTime() - sentAt.get(r.event_id)!);
  const s = summarise(lat);
  console.log(
    `journey latency bench: ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((x) => fmt(x, 1))
      .join(' ')}`,
  );
  console.log(
    `  load: ${events} events in batches of ${batch} by ${clients} clients in ${fmt(loadSecs, 1)} s = ${fmt(events! / loadSecs, 0)} events/s`,
  );
  console.log(
    `  entries: ${rows.length} (pending ${(await pending()).rows[0]!.n}); event → first action ms p50 ${fmt(s.p50, 0)}, p99 ${fmt(s.p99, 0)}, max ${fmt(s.max, 0)}`,
  );
} finally {
  server.kill('SIGTERM');
  await database.close();
}
