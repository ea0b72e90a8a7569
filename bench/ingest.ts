/**
 * Event ingest benchmark: C concurrent HTTP clients send batches of B events to POST /v1/events of
 * a real server (child process `node bin/santong.js start`) on a fresh PostgreSQL database, with a
 * realistic mix of subjects:
 *   ~50% known customers by identifier (phone, member card or both),
 *   ~30% anonymous ids (visitors with ~6 events each, close together in time; the first creates an
 *        anonymous profile),
 *   ~10% customer_id,
 *   ~10% new identifier sets that go through One ID (a new device or card linked to a known phone,
 *        a new phone, and now and then a phone and another customer's card that merge two customers).
 * Before the measured load, --warmup events of the same mix (other visitors, devices and new phones)
 * go through the same server, not counted: a shop's server is running when events arrive, and a
 * server seconds old spends a good part of its CPU compiling the ingest path (--warmup 0 measures that).
 * Then the baseline: the measured rows (read back from customer_events) loaded with one COPY into a
 * bare table with the same columns (and, for reference, into a copy with customer_events' indexes).
 *
 *   npx tsx bench/ingest.ts [--events 200000] [--batch 500] [--clients 4] [--customers 5000] [--seed 1]
 *   [--mix known=50,anonymous=30,customer_id=10,new=10] [--warmup 20000]
 *   [--pg postgres://postgres@127.0.0.1:5432/test]
 *
 * Only talks to 127.0.0.1. Creates a database `santong_bench_<hex>` and drops it at the end.
 * Exits 1 if an event was lost or rejected, 3 if it hit its time limit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { fmt, msSince, summarise, nonNegativeInt, positiveInt } from './stats';
import { Rng } from '../src/demo/rng';
import {
  adminQueryAt,
  backendsOf,
  benchServerEnv,
  databaseUrl,
  postgresCpu,
  procCpu,
  runCleanups,
  startWatchdog,
} from './harness';

const ROOT = path.resolve(import.meta.dirname, '..');
const HARD_LIMIT_MS = 290_000;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '500' },
    clients: { type: 'string', default: '4' },
    customers: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    mix: { type: 'string', default: 'known=50,anonymous=30,customer_id=10,new=10' },
    warmup: { type: 'string', default: '20000' },
    pg: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
  strict: true,
});

const EVENTS = positiveInt(args.events, 'events');
const BATCH = positiveInt(args.batch, 'batch');
const CLIENTS = positiveInt(args.clients, 'clients');
const CUSTOMERS = positiveInt(args.customers, 'customers');
const SEED = positiveInt(args.seed, 'seed');
const WARMUP = nonNegativeInt(args.warmup, 'warmup');
if (BATCH > 1000) throw new Error('--batch is at most 1000');
const MIX = (() => {
  const m: Record<string, number> = { known: 0, anonymous: 0, customer_id: 0, new: 0 };
  for (const part of args.mix.split(',')) {
    const [k, v] = part.split('=');
    if (!(k in m) || !(Number(v) >= 0))
      throw new Error(`--mix: ${part}? (known=50,anonymous=30,customer_id=10,new=10)`);
    m[k] = Number(v);
  }
  const total = m.known + m.anonymous + m.customer_id + m.new;
  if (total <= 0) throw new Error('--mix must not be all zero');
  return {
    known: m.known / total,
    anonymous: (m.known + m.anonymous) / total,
    customer_id: (m.known + m.anonymous + m.customer_id) / total,
  };
})();
if (!['127.0.0.1', 'localhost'].includes(new URL(args.pg).hostname)) throw new Error('--pg must point at 127.0.0.1');

const log = (s: string) => process.stderr.write(`[ingest] ${s}\n`);

const dbUrl = (name: string): string => databaseUrl(args.pg, name);

const adminQuery = (text: string): Promise<void> => adminQueryAt(args.pg, text);

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

interface Cpu {
  self: NodeJS.CpuUsage;
  server: number;
  /** CPU seconds by pid of every `postgres` process */
  pg: Map<string, number>;
}
const cpuSnap = (serverPid: number): Cpu => ({
  self: process.cpuUsage(),
  server: procCpu(serverPid) ?? 0,
  pg: postgresCpu(),
});
/** `own`: the backends serving the bench database at the end (a backend started meanwhile counts whole). */
function cpuDelta(a: Cpu, b: Cpu, own: Set<string>) {
  let pgAll = 0;
  let pgOwn = 0;
  for (const [pid, c] of b.pg) {
    const d = c - (a.pg.get(pid) ?? 0);
    pgAll += d;
    if (own.has(pid)) pgOwn += d;
  }
  return {
    client: (b.self.user - a.self.user + b.self.system - a.self.system) / 1e6,
    server: b.server - a.server,
    pg: pgAll,
    pgOwn,
  };
}

// ---------------------------------------------------------------- server child

let child: ChildProcess | null = null;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(
  databaseUrl: string,
  adminKey: string,
): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof, for profiling the server
  const proc = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin', 'santong.js'), 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...benchServerEnv(databaseUrl, adminKey, 'bench-ingest'),
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', process.env.BENCH_SERVER_STDERR ? 'inherit' : 'pipe'],
  });
  child = proc;
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-10_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}) before listening\n${stderr}`);
    if (Date.now() - t0 > 60_000) throw new Error(`server did not start in 60 s\n${stderr}`);
    try {
      if ((await fetch(url + '/health')).ok) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: proc.pid!,
    async close() {
      if (child !== proc) return;
      child = null;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (stderr.trim()) log(`server stderr (last lines):\n${stderr.trim().split('\n').slice(-5).join('\n')}`);
    },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, key: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
async function must(url: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await post(url, key, JSON.stringify(body));
  if (r.status !== 200 && r.status !== 201) throw new Error(`POST ${url} → ${r.status} ${r.text}`);
  return JSON.parse(r.text) as Record<string, unknown>;
}

// ---------------------------------------------------------------- the workload

/** The demo generator's seeded PRNG, as a function. */
const mulberry32 = (seed: number) => {
  const rng = new Rng(seed);
  return () => rng.next();
};

interface Person {
  phone: string;
  card: string | null;
  id: string;
}

const phoneOf = (i: number) => `139${String(10_000_000 + i).slice(-8)}`;
const newPhoneOf = (i: number) => `137${String(10_000_000 + i).slice(-8)}`;

/** `count` events in batches; event ids, visitors and devices carry `runTag`, new phones start at `firstNew`. */
function makeBatches(
  people: Person[],
  rng: () => number,
  runTag: string,
  count: number,
  firstNew: number,
): { bodies: string[]; mix: Record<string, number> } {
  const anonPool = Math.max(100, Math.round((count * 0.3) / 6)); // ~6 events per anonymous visitor
  const skus = Array.from({ length: 500 }, (_, i) => `SKU${String(i).padStart(4, '0')}`);
  const channels = ['app', 'mini_program', 'web', 'app', 'app'];
  const mix: Record<string, number> = { identifiers_known: 0, anonymous: 0, customer_id: 0, identifiers_new: 0 };
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  const t0 = Date.now() - 3600_000;
  let newCount = firstNew;
  const bodies: string[] = [];
  let events: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng();
    let subject: Record<string, unknown>;
    if (r < MIX.known) {
      const p = pick(people);
      const form = rng();
      subject = {
        identifiers:
          form < 0.6 || !p.card
            ? [{ type: 'phone', value: p.phone }]
            : form < 0.85
              ? [{ type: 'member_card', value: p.card }]
              : [
                  { type: 'phone', value: p.phone },
                  { type: 'member_card', value: p.card },
                ],
      };
      mix.identifiers_known++;
    } else if (r < MIX.anonymous) {
      // visitors come and go: one's events fall within a few hundred events of each other
      const v = Math.min(anonPool - 1, Math.max(0, Math.floor((i / count) * anonPool + (rng() - 0.5) * 40)));
      subject = { anonymous_id: `anon-${runTag}-${v}` };
      mix.anonymous++;
    } else if (r < MIX.customer_id) {
      subject = { customer_id: pick(people).id };
      mix.customer_id++;
    } else {
      const k = newCount++;
      const f = rng();
      const p = pick(people);
      if (f < 0.6)
        subject = {
          identifiers: [
            { type: 'phone', value: p.phone },
            { type: 'device_id', value: `dev-${runTag}-${k}` },
          ],
        };
      else if (f < 0.85) subject = { identifiers: [{ type: 'phone', value: newPhoneOf(k) }] };
      else if (f < 0.95)
        subject = {
          identifiers: [
            { type: 'phone', value: p.phone },
            { type: 'member_card', value: `NC-${runTag}-${k}` },
          ],
        };
      else {
        const q = pick(people.filter((x) => x.card));
        subject = {
          identifiers: [
            { type: 'phone', value: p.phone },
            { type: 'member_card', value: q.card! },
          ],
        }; // links two customers: a merge
      }
      mix.identifiers_new++;
    }
    const t = rng();
    let type: string;
    let properties: Record<string, unknown>;
    let location_id: string | undefined;
    if (t < 0.45) [type, properties] = ['product_viewed', { sku: pick(skus), list: 'home' }];
    else if (t < 0.65) [type, properties] = ['page_view', { path: `/c/${Math.floor(rng() * 40)}`, referrer: 'search' }];
    else if (t < 0.75)
      [type, properties] = ['search', { query: pick(['牛奶', '苹果', 'tv', '纸巾', '洗衣液', 'coffee']) }];
    else if (t < 0.85) [type, properties] = ['added_to_cart', { sku: pick(skus), qty: 1 + Math.floor(rng() * 3) }];
    else if (t < 0.9) {
      [type, properties] = ['store_visit', { location_id: 'bench-store' }];
      location_id = 'bench-store';
    } else if (t < 0.93) [type, properties] = ['coupon_claimed', { template_id: `tpl-${Math.floor(rng() * 20)}` }];
    else
      [type, properties] = ['video.played', { video: `v${Math.floor(rng() * 100)}`, seconds: Math.floor(rng() * 300) }];
    events.push({
      event_id: `${runTag}-${i}`,
      type,
      occurred_at: new Date(t0 + Math.floor(rng() * 3600_000)).toISOString(),
      channel: type === 'store_visit' ? 'pos' : pick(channels),
      ...subject,
      ...(location_id ? { location_id } : {}),
      properties,
    });
    if (events.length === BATCH) {
      bodies.push(JSON.stringify({ events }));
      events = [];
    }
  }
  if (events.length) bodies.push(JSON.stringify({ events }));
  return { bodies, mix };
}

/** BENCH_SAMPLE_ACTIVITY=1: samples pg_stat_activity of the bench database while the load runs. */
async function sampleActivity(url: string, running: () => boolean): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const counts = new Map<string, number>();
  let n = 0;
  while (running()) {
    const r = await c.query<{ state: string; wt: string | null; w: string | null; q: string }>(
      "SELECT state, wait_event_type AS wt, wait_event AS w, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS q FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
    );
    n++;
    for (const x of r.rows) {
      const k = `${x.state} ${x.wt ?? ''}/${x.w ?? ''} ${x.q.trim()}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await c.end();
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => `${fmt((100 * v) / n, 0).padStart(4)}% ${k}`)
    .join('\n');
}

/**
 * The local test server runs with autovacuum off, so a growing table would never get statistics and
 * the planner would keep its empty-table plans (seq scans). Production runs autovacuum; this stands
 * in for its autoanalyze: ANALYZE of the people tables every 10 s (and once when asked).
 */
async function startAutoanalyze(url: string): Promise<{ now(): Promise<void>; stop(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const on = (await c.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0].autovacuum === 'on';
  const analyze = () =>
    c.query('ANALYZE customers, customer_identifiers, customer_events, customer_merges').then(() => undefined);
  if (on) {
    await c.end();
    return { async now() {}, async stop() {} };
  }
  log('autovacuum is off on this server: running ANALYZE every 10 s as autoanalyze would');
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(analyze).catch(() => undefined);
  }, 10_000);
  return {
    async now() {
      running = running.then(analyze);
      await running;
    },
    async stop() {
      clearInterval(timer);
      await running.catch(() => undefined);
      await c.end();
    },
  };
}

// ---------------------------------------------------------------- main

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (): Promise<void> => runCleanups(cleanups, log);
startWatchdog(HARD_LIMIT_MS, cleanups, log, () => {
  if (child) child.kill('SIGKILL');
});

async function main(): Promise<number> {
  const tag = crypto.randomBytes(4).toString('hex');
  const name = `santong_bench_${tag}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  if (process.env.BENCH_KEEP_DB) log(`keeping database ${name} (BENCH_KEEP_DB): drop it yourself`);
  else cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = dbUrl(name);
  const adminKey = 'st_bench_' + crypto.randomBytes(12).toString('hex');
  const server = await startServer(url, adminKey);
  cleanups.push(() => server.close());
  log(`server ${server.url} (pid ${server.pid}) on ${name}`);
  const autoanalyze = await startAutoanalyze(url);
  cleanups.push(() => autoanalyze.stop());
  await must(server.url + '/v1/locations', adminKey, {
    id: 'bench-store',
    name: 'Bench store',
    type: 'store',
    lat: 31.23,
    lng: 121.47,
    capabilities: { ship: false, pickup: true, local_delivery_km: null },
  });

  // Customers, through One ID: a phone each, a member card for half of them.
  const tSetup = process.hrtime.bigint();
  const people: Person[] = new Array(CUSTOMERS);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < CUSTOMERS; i = next++) {
        const phone = phoneOf(i);
        const card = i % 2 === 0 ? `MC-${tag}-${i}` : null;
        const r = await must(server.url + '/v1/identify', adminKey, {
          channel: 'pos',
          identifiers: [{ type: 'phone', value: phone }, ...(card ? [{ type: 'member_card', value: card }] : [])],
        });
        people[i] = { phone, card, id: String(r.customer_id) };
      }
    }),
  );
  const setupS = msSince(tSetup) / 1000;
  log(`${CUSTOMERS} customers identified in ${fmt(setupS)} s (${fmt(CUSTOMERS / setupS, 0)}/s)`);

  await autoanalyze.now();
  const failures: string[] = [];
  /** Sends the batches with CLIENTS concurrent clients; batch latencies go to `lat`. */
  const send = async (bodies: string[], lat: number[]) => {
    const n = { accepted: 0, duplicates: 0, rejected: 0 };
    let cursor = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let b = cursor++; b < bodies.length; b = cursor++) {
          const s = process.hrtime.bigint();
          const r = await post(server.url + '/v1/events', adminKey, bodies[b]);
          lat.push(msSince(s));
          if (r.status !== 200) {
            failures.push(`batch ${b}: ${r.status} ${r.text.slice(0, 300)}`);
            continue;
          }
          const j = JSON.parse(r.text) as { accepted: number; duplicates: number; rejected: unknown[] };
          n.accepted += j.accepted;
          n.duplicates += j.duplicates;
          n.rejected += j.rejected.length;
          if (j.rejected.length && failures.length < 5)
            failures.push(`batch ${b}: ${JSON.stringify(j.rejected.slice(0, 3))}`);
        }
      }),
    );
    return n;
  };
  let warm = { accepted: 0, duplicates: 0, rejected: 0 };
  if (WARMUP > 0) {
    const t = process.hrtime.bigint();
    warm = await send(makeBatches(people, mulberry32(SEED + 1_000_003), `${tag}w`, WARMUP, 50_000_000).bodies, []);
    log(`warm-up: ${warm.accepted} events in ${fmt(msSince(t) / 1000)} s, not counted`);
    await autoanalyze.now();
  }
  const { bodies, mix } = makeBatches(people, mulberry32(SEED), tag, EVENTS, 0);
  log(`${EVENTS} events in ${bodies.length} batches of ${BATCH}; mix ${JSON.stringify(mix)}`);

  // Load.
  const lat: number[] = [];
  const cpu0 = cpuSnap(server.pid);
  const t0 = process.hrtime.bigint();
  let loading = true;
  const sampling = process.env.BENCH_SAMPLE_ACTIVITY ? sampleActivity(url, () => loading) : null;
  const { accepted, duplicates, rejected } = await send(bodies, lat);
  const seconds = msSince(t0) / 1000;
  const cpu = cpuDelta(cpu0, cpuSnap(server.pid), await backendsOf(url));
  loading = false;
  if (sampling) log(`what the server's connections were doing (pg_stat_activity samples):\n${await sampling}`);
  const rate = accepted / seconds;
  const l = summarise(lat);

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  cleanups.push(() => c.end());
  const stored = Number((await c.query('SELECT count(*) FROM customer_events')).rows[0].count);
  const anonProfiles = Number((await c.query("SELECT count(*) FROM customers WHERE kind = 'anonymous'")).rows[0].count);
  const merges = Number((await c.query('SELECT count(*) FROM customer_merges')).rows[0].count);
  const customers = Number((await c.query('SELECT count(*) FROM customers')).rows[0].count);

  // Baseline: the measured rows, one COPY, into a bare table with the same columns.
  const cols = 'event_id, type, occurred_at, channel, customer_id, anonymous_id, location_id, properties, received_at';
  const chunks: Buffer[] = [];
  const measured = `SELECT ${cols} FROM customer_events WHERE event_id LIKE '${tag}-%'`;
  for await (const chunk of c.query(copyStreams.to(`COPY (${measured}) TO STDOUT`)) as AsyncIterable<Buffer>)
    chunks.push(chunk);
  const data = Buffer.concat(chunks);
  const copyInto = async (table: string, ddl: string) => {
    await c.query(`DROP TABLE IF EXISTS ${table}`);
    await c.query(ddl);
    const t = process.hrtime.bigint();
    await pipeline(Readable.from([data]), c.query(copyStreams.from(`COPY ${table} (${cols}) FROM STDIN`)));
    const s = msSince(t) / 1000;
    const n = Number((await c.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    await c.query(`DROP TABLE ${table}`);
    return { n, s, rate: n / s };
  };
  const bare = await copyInto(
    'bench_copy_bare',
    'CREATE TABLE bench_copy_bare (event_id text, type text, occurred_at timestamptz, channel text, customer_id text, anonymous_id text, location_id text, properties jsonb, received_at timestamptz)',
  );
  const indexed = await copyInto(
    'bench_copy_indexed',
    'CREATE TABLE bench_copy_indexed (LIKE customer_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)',
  );

  const ok =
    failures.length === 0 &&
    rejected === 0 &&
    accepted === EVENTS &&
    warm.accepted === WARMUP &&
    stored === EVENTS + WARMUP;
  const lines = [
    `events/s through POST /v1/events: ${fmt(rate, 0)} (${accepted} accepted, ${duplicates} duplicates, ${rejected} rejected in ${fmt(seconds, 2)} s; ${CLIENTS} clients, batches of ${BATCH})`,
    `batch latency ms: p50 ${fmt(l.p50)} p99 ${fmt(l.p99)} max ${fmt(l.max)}`,
    `CPU s during load: server ${fmt(cpu.server)}, postgres ${fmt(cpu.pg)} (of which this database's backends ${fmt(cpu.pgOwn)}), bench client ${fmt(cpu.client)} (of ${fmt(seconds * os.cpus().length)} on ${os.cpus().length} cores); per event: server ${fmt((cpu.server * 1e6) / Math.max(accepted, 1), 0)} µs, own backends ${fmt((cpu.pgOwn * 1e6) / Math.max(accepted, 1), 0)} µs`,
    `subjects: ${JSON.stringify(mix)}; afterwards ${customers} customers (${anonProfiles} anonymous profiles), ${merges} merges (warm-up included: ${WARMUP} events)`,
    `baseline COPY into a bare table (same columns, no indexes): ${fmt(bare.rate, 0)} rows/s (${bare.n} rows in ${fmt(bare.s, 2)} s)`,
    `ratio ingest / bare COPY: ${fmt(rate / bare.rate, 3)}`,
    `reference COPY into a table with customer_events' indexes: ${fmt(indexed.rate, 0)} rows/s; ratio ${fmt(rate / indexed.rate, 3)}`,
    `setup: ${CUSTOMERS} customers via /v1/identify in ${fmt(setupS)} s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (!ok) {
    log(
      `FAILED: stored ${stored}, accepted ${accepted} of ${EVENTS} (+ ${warm.accepted} of ${WARMUP} warm-up), ${rejected} rejected`,
    );
    for (const f of failures.slice(0, 5)) log(f);
  }
  return ok ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
} finally {
  await cleanup();
  agent.destroy();
}
process.exit(code);
