/**
 * Flash-sale benchmark: C concurrent HTTP clients place pickup orders (qty 1, channel app) for one
 * hot SKU with K units at one store until 10×K attempts are made; then the database is checked for
 * overselling. As a baseline, the bare hot-row update rate of the same PostgreSQL database is measured.
 *
 *   npx tsx bench/flash-sale.ts [--k 2000] [--clients 16] [--channel app|pos] [--rollups on|off] [--mode child|inprocess] [--client raw|http|fetch] [--idempotency] [--mix] [--warmup 5000] [--restart]
 *
 * --mix: members buy too: 20 % of attempts spend a coupon (满99减20, the member's own), 20 % spend
 * 100 points, the rest are guests; every attempt carries its own Idempotency-Key.
 *   npx tsx bench/flash-sale.ts --url http://127.0.0.1:8080 --key <admin key> [--db postgres://...]
 *
 * Only talks to 127.0.0.1. Creates a database `santong_bench_<hex>` and drops it at the end.
 * Exits 1 if anything was oversold (or a stock invariant is broken), 3 if it hit its time limit.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { RawHttpConnection } from './raw-http';
import { codeRevision } from './revision';
import { fmt, msSince, summarise, type Summary, nonNegativeInt, positiveInt } from './stats';
import {
  adminQueryAt,
  backendsOf,
  benchServerEnv,
  CLK_TCK,
  databaseUrl,
  postgresCpu,
  procTreeCpu,
  runCleanups,
  startWatchdog,
} from './harness';

const ROOT = path.resolve(import.meta.dirname, '..');
const HARD_LIMIT_MS = 175_000; // the whole run, setup and teardown included
const LOAD_LIMIT_MS = 100_000; // the order phase stops here even if 10×K attempts were not made
const BASELINE_LIMIT_MS = 12_000; // each baseline stops here even if N was not exhausted

const { values: args } = parseArgs({
  options: {
    k: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '16' },
    mode: { type: 'string', default: 'child' },
    url: { type: 'string' },
    key: { type: 'string' },
    db: { type: 'string' },
    pg: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'bare-server': { type: 'boolean', default: false },
    client: { type: 'string', default: 'raw' },
    idempotency: { type: 'boolean', default: false },
    mix: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '5000' },
    // a new server process after the set-up, just before the sale (a deploy minutes before 618): with
    // --warmup 0, the cold start as a retailer meets it, the server's own start-up warm-up included
    restart: { type: 'boolean', default: false },
    // on | off: the server's sales rollups (SANTONG_ANALYTICS_ROLLUPS), for their cost on the order path
    rollups: { type: 'string', default: 'on' },
    // app: pickup orders awaiting payment (no sale yet); pos: in-store sales to guests, completed when
    // placed (every order is a sale the rollups add up; one member on every order would serialise on that person)
    channel: { type: 'string', default: 'app' },
  },
  strict: true,
});

function assertLoopback(u: string, what: string): void {
  const url = new URL(u);
  if (url.searchParams.get('host')?.startsWith('/')) return; // a Unix socket of this machine
  const host = url.hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host))
    throw new Error(`${what} must point at 127.0.0.1 (got ${host})`);
}

const K = positiveInt(args.k, 'k');
const C = positiveInt(args.clients, 'clients');
const ATTEMPTS = 10 * K;
const WARMUP = nonNegativeInt(args.warmup, 'warmup');
const MIX = args.mix;
const KEYS = args.idempotency || MIX;
/** --mix: members, each with COUPONS_EACH coupons and POINTS_EACH points: enough for every attempt that names them. */
const MEMBERS = Math.max(1, Math.ceil((0.2 * ATTEMPTS) / 10));
const COUPONS_EACH = 10;
const POINTS_EACH = 1000;
const PROBE = !args['bare-server'];
const PROBE_URL = pathToFileURL(path.join(ROOT, 'bench', 'sql-probe.mjs')).href;
const MODE = args.url ? 'external' : args.mode;
if (!['child', 'inprocess', 'external'].includes(MODE)) throw new Error('--mode must be child or inprocess');
if (!['raw', 'fetch', 'http'].includes(args.client)) throw new Error('--client must be raw, fetch or http');
assertLoopback(args.pg, '--pg');
if (args.url) assertLoopback(args.url, '--url');
if (args.db) assertLoopback(args.db, '--db');

const dbUrl = (name: string): string => databaseUrl(args.pg, name);

const adminQuery = (text: string): Promise<void> => adminQueryAt(args.pg, text);

const log = (s: string) => process.stderr.write(`[flash-sale] ${s}\n`);

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

function machineCpu(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.reduce((t, v) => t + v, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

interface CpuSnap {
  self: NodeJS.CpuUsage;
  server: number | null;
  pg: Map<string, number>;
  machine: { busy: number; total: number };
}

function cpuSnap(serverPid: number | null): CpuSnap {
  return {
    self: process.cpuUsage(),
    server: serverPid ? procTreeCpu(serverPid) : null,
    pg: postgresCpu(),
    machine: machineCpu(),
  };
}

/** `own`: the backends of the bench database (the server's connections): their CPU apart from all postgres processes. */
function cpuDelta(a: CpuSnap, b: CpuSnap, own: Set<string> = new Set()) {
  const self = (b.self.user - a.self.user + b.self.system - a.self.system) / 1e6;
  const server = a.server !== null && b.server !== null ? b.server - a.server : null;
  let pgSec = 0;
  let pgOwn = 0;
  for (const [pid, c] of b.pg) {
    const d = c - (a.pg.get(pid) ?? 0);
    pgSec += d;
    if (own.has(pid)) pgOwn += d;
  }
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  const others = Math.max(0, busy - self - (server ?? 0) - pgSec);
  return { self, server, pg: pgSec, pgOwn, others, machineBusyPct: total > 0 ? (100 * busy) / total : NaN };
}

// ---------------------------------------------------------------- baseline: bare hot-row updates

interface Baseline {
  label: string;
  updates: number;
  seconds: number;
  rate: number;
  exhausted: boolean;
  latency: Summary;
}

/** C connections each loop a conditional decrement of one row until it reaches 0 or time runs out. */
async function hotRowBaseline(url: string, table: string, n: number, explicitTx: boolean): Promise<Baseline> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`DROP TABLE IF EXISTS ${table}`);
  await setup.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, on_hand integer NOT NULL)`);
  await setup.query(`INSERT INTO ${table} VALUES (1, $1)`, [n]);
  const pool = new pg.Pool({ connectionString: url, max: C });
  const clients = await Promise.all(Array.from({ length: C }, () => pool.connect()));
  const update = `UPDATE ${table} SET on_hand = on_hand - 1 WHERE id = 1 AND on_hand > 0`;
  const lat: number[] = [];
  let updates = 0;
  let exhausted = false;
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + BASELINE_LIMIT_MS;
  await Promise.all(
    clients.map(async (c) => {
      while (!exhausted && Date.now() < deadline) {
        const s = process.hrtime.bigint();
        let count: number;
        if (explicitTx) {
          await c.query('BEGIN');
          count = (await c.query(update)).rowCount ?? 0;
          await c.query('COMMIT');
        } else count = (await c.query(update)).rowCount ?? 0;
        if (count === 0) {
          exhausted = true;
          break;
        }
        lat.push(msSince(s));
        updates++;
      }
    }),
  );
  const seconds = msSince(t0) / 1000;
  for (const c of clients) c.release();
  await pool.end();
  const left = Number((await setup.query(`SELECT on_hand FROM ${table} WHERE id = 1`)).rows[0].on_hand);
  if (left !== n - updates) throw new Error(`baseline lost updates: ${n} - ${updates} != ${left}`);
  await setup.query(`DROP TABLE ${table}`);
  await setup.end();
  return {
    label: explicitTx ? 'BEGIN; UPDATE; COMMIT (3 round trips)' : 'autocommit UPDATE (1 round trip)',
    updates,
    seconds,
    rate: updates / seconds,
    exhausted,
    latency: summarise(lat),
  };
}

// ---------------------------------------------------------------- the server under test

/** What bench/sql-probe.mjs recorded in the server while the load ran. */
interface ProbeReport {
  statements: number;
  kinds: Record<string, number>;
  /** per committed reservation: [UPDATE ms incl. lock wait, ms from its answer to sending COMMIT, COMMIT ms] */
  holds: [number, number, number][];
  lostRaces: number;
  /** [ms since the load started, kind] of every statement */
  timeline: [number, string][];
}

interface Server {
  url: string;
  pid: number | null;
  close(): Promise<void>;
  probe?: { toggle(): Promise<void>; report(): Promise<ProbeReport | null> };
  /** In-process only: SQL statement counters. */
  sql?: {
    total(): number;
    trace<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
    inject(method: string, url: string, body: unknown, key: string): Promise<{ status: number; body: string }>;
  };
}

if (!['on', 'off'].includes(args.rollups!)) throw new Error('--rollups must be on or off');
if (!['app', 'pos'].includes(args.channel!)) throw new Error('--channel must be app or pos');
const CHANNEL = args.channel as 'app' | 'pos';

function serverEnv(databaseUrl: string, adminKey: string): Record<string, string> {
  return {
    ...benchServerEnv(databaseUrl, adminKey),
    ...groupCommitEnv(),
    SANTONG_ANALYTICS_ROLLUPS: args.rollups === 'off' ? '0' : '1',
  };
}

/** Group-commit and warm-up settings passed on to the server when set here (SANTONG_ORDER_BATCH, SANTONG_ORDER_WRITERS, SANTONG_WARM_UP). */
function groupCommitEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['SANTONG_ORDER_BATCH', 'SANTONG_ORDER_WRITERS', 'SANTONG_WARM_UP'])
    if (process.env[k]) out[k] = process.env[k]!;
  return out;
}

let child: ChildProcess | null = null;

async function startChild(databaseUrl: string, adminKey: string): Promise<Server> {
  const probeOut = path.join(os.tmpdir(), `santong-bench-probe-${process.pid}.json`);
  fs.rmSync(probeOut, { force: true });
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof, for profiling the server
  const proc = spawn(
    process.execPath,
    [...nodeArgs, ...(PROBE ? ['--import', PROBE_URL] : []), path.join(ROOT, 'bin', 'santong.js'), 'start'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        ...serverEnv(databaseUrl, adminKey),
        ...(PROBE ? { BENCH_SQL_PROBE_OUT: probeOut } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = proc;
  if (PROBE) cleanups.push(async () => fs.rmSync(probeOut, { force: true }));
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL'); // not left running after the bench gave up on it
      reject(new Error(`server did not start in 60 s\n${stderr}`));
    }, 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /API\s+http:\/\/[^:/\s]+:(\d+)\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening\n${stderr}`));
    });
  });
  proc.once('exit', (code, signal) => {
    if (child === proc) {
      log(`server child exited unexpectedly (code ${code}, signal ${signal})\n${stderr}`);
      child = null;
    }
  });
  return {
    url,
    pid: proc.pid ?? null,
    probe: PROBE
      ? {
          async toggle() {
            proc.kill('SIGUSR2');
            await new Promise((r) => setTimeout(r, 200));
          },
          async report() {
            if (child === proc) return null; // written when the server exits
            if (!fs.existsSync(probeOut)) return null;
            const report = JSON.parse(fs.readFileSync(probeOut, 'utf8')) as ProbeReport;
            fs.rmSync(probeOut, { force: true });
            return report;
          },
        }
      : undefined,
    async close() {
      if (child !== proc) return;
      child = null;
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 12_000))]);
        clearTimeout(timer);
      }
      if (stderr.trim()) log(`server stderr (last lines):\n${stderr.trim().split('\n').slice(-5).join('\n')}`);
    },
  };
}

async function startInProcess(databaseUrl: string, adminKey: string): Promise<Server> {
  if (PROBE) await import(PROBE_URL);
  const sqlProbe = (globalThis as { __sqlProbe?: { toggle(): void; report(): ProbeReport } }).__sqlProbe;
  // Count every statement the pg driver sends (this process only; the bench's own pool included).
  const als = new AsyncLocalStorage<string[]>();
  let total = 0;
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    total++;
    const store = als.getStore();
    if (store) {
      const q = a[0];
      const text =
        typeof q === 'string'
          ? q
          : typeof q === 'object' && q !== null && 'text' in q
            ? String((q as { text: unknown }).text)
            : '?';
      store.push(text.replace(/\s+/g, ' ').trim());
    }
    return original.apply(this, a);
  };
  const { loadConfig } = await import('../src/platform/config');
  const { startSantong } = await import('../src/app');
  const santong = await startSantong(loadConfig(serverEnv(databaseUrl, adminKey)));
  const url = santong.url.replace('localhost', '127.0.0.1');
  return {
    url,
    pid: null,
    probe: sqlProbe
      ? {
          async toggle() {
            sqlProbe.toggle();
          },
          async report() {
            return sqlProbe.report();
          },
        }
      : undefined,
    async close() {
      await santong.close();
      proto.query = original;
    },
    sql: {
      total: () => total,
      async trace(fn) {
        const statements: string[] = [];
        const result = await als.run(statements, fn);
        return { result, statements };
      },
      async inject(method, u, body, key) {
        const r = await santong.app.inject({
          method: method as 'POST',
          url: u,
          payload: JSON.stringify(body),
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        });
        return { status: r.statusCode, body: r.body };
      },
    },
  };
}

// ---------------------------------------------------------------- HTTP helpers

async function api(
  base: string,
  key: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function must(
  base: string,
  key: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const r = await api(base, key, method, p, body);
  if (r.status !== 200 && r.status !== 201) throw new Error(`${method} ${p} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

/** A POST over node:http with a keep-alive agent (a lighter client than fetch, for --client http). */
function httpPost(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
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

// ---------------------------------------------------------------- --mix: members with coupons and points

interface Member {
  id: string;
  coupons: string[];
}

/** MEMBERS customers, each given COUPONS_EACH 满99减20 coupons and POINTS_EACH points; checked with a quote. */
async function setUpMembers(base: string, adminKey: string, tag: string): Promise<Member[]> {
  const t = Date.now();
  const call = (method: string, p: string, b: unknown) => must(base, adminKey, method, p, b);
  const day = 86_400_000;
  const template = await call('POST', '/v1/coupon-templates', {
    name: '满99减20',
    kind: 'threshold',
    value: 2000,
    min_spend: 9900,
    channels: ['online'],
    valid_from: new Date(Date.now() - day).toISOString(),
    valid_to: new Date(Date.now() + 30 * day).toISOString(),
    budget: MEMBERS * COUPONS_EACH,
    per_customer_limit: COUPONS_EACH,
    stackable: true,
  });
  const members: Member[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < MEMBERS) {
        const n = next++;
        const phone = `+86139${String(n).padStart(8, '0')}`;
        const who = await call('POST', '/v1/identify', {
          identifiers: [{ type: 'phone', value: phone }],
          channel: 'app',
        });
        const id = String(who.customer_id);
        const coupons: string[] = [];
        for (let c = 0; c < COUPONS_EACH; c++)
          coupons.push(
            String((await call('POST', '/v1/coupons/issue', { template_id: template.id, customer: { id } })).code),
          );
        await call('POST', '/v1/points/adjust', {
          customer: { id },
          points: POINTS_EACH,
          reason: `flash-sale bench ${tag}`,
        });
        members.push({ id, coupons });
      }
    }),
  );
  log(
    `${MEMBERS} members with ${COUPONS_EACH} coupons and ${POINTS_EACH} points each in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  return members;
}

// ---------------------------------------------------------------- main

const cleanups: (() => Promise<void>)[] = [];

const cleanup = (): Promise<void> => runCleanups(cleanups, log);

startWatchdog(HARD_LIMIT_MS, cleanups, log, () => {
  if (child) child.kill('SIGKILL');
});

async function main(): Promise<number> {
  const runStarted = Date.now();
  const loadBefore = os.loadavg();
  const tag = crypto.randomBytes(4).toString('hex');
  let benchDbUrl: string | null = null; // the database the server uses (for the checks)
  let baselineDbUrl: string;

  if (MODE === 'external') {
    benchDbUrl = args.db ?? null;
    if (benchDbUrl) baselineDbUrl = benchDbUrl;
    else {
      const scratch = `santong_bench_${tag}`;
      await adminQuery(`CREATE DATABASE ${scratch}`);
      cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`));
      baselineDbUrl = dbUrl(scratch);
    }
  } else {
    const name = `santong_bench_${tag}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    benchDbUrl = dbUrl(name);
    baselineDbUrl = benchDbUrl;
    log(`created database ${name}`);
  }

  // 1. Baselines, before the server exists, so nothing else touches the database meanwhile.
  log(`baseline: ${C} connections decrementing one row from ${ATTEMPTS} (≤ ${BASELINE_LIMIT_MS / 1000} s each)`);
  const table = `bench_hot_row_${tag}`;
  const bare = await hotRowBaseline(baselineDbUrl, table, ATTEMPTS, false);
  const bareTx = await hotRowBaseline(baselineDbUrl, table, ATTEMPTS, true);

  // 2. The server.
  let server: Server;
  let adminKey: string;
  if (MODE === 'external') {
    adminKey = args.key ?? process.env.SANTONG_ADMIN_KEY ?? '';
    if (!adminKey) throw new Error('--url needs --key (an admin API key) or SANTONG_ADMIN_KEY');
    server = { url: args.url!.replace(/\/+$/, ''), pid: null, close: async () => undefined };
  } else {
    adminKey = 'st_bench_' + crypto.randomBytes(12).toString('hex');
    const t = Date.now();
    server = MODE === 'child' ? await startChild(benchDbUrl!, adminKey) : await startInProcess(benchDbUrl!, adminKey);
    cleanups.push(() => server.close());
    log(`server (${MODE}) listening on ${server.url} after ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }

  // 3. One store, one hot SKU with K units, a key for the app channel.
  const loc = `flash-store-${tag}`;
  const sku = `FLASH-${tag}`;
  const calSku = `FLASH-CAL-${tag}`;
  await must(server.url, adminKey, 'POST', '/v1/locations', {
    id: loc,
    name: 'Flash sale store',
    type: 'store',
    lat: 31.2304,
    lng: 121.4737,
    capabilities: { ship: false, pickup: true, local_delivery_km: null },
  });
  await must(server.url, adminKey, 'POST', '/v1/products', {
    sku,
    name: 'Flash sale item',
    category: 'flash',
    list_price: 9900,
  });
  // pos: till sales are not limited by stock as online reservations are; enough units for every attempt
  // (the run then measures the rate of sales, not a sell-out, and its oversell verdict does not apply).
  await must(server.url, adminKey, 'PUT', `/v1/stock/${loc}/${sku}`, {
    on_hand: CHANNEL === 'pos' ? ATTEMPTS : K,
    safety_stock: 0,
  });
  const appKey = String(
    (
      await must(server.url, adminKey, 'POST', '/v1/api-keys', {
        name: 'flash-sale bench app',
        role: 'integration',
        channel: CHANNEL,
      })
    ).key,
  );
  const body = JSON.stringify(orderBody(sku));
  function orderBody(s: string) {
    return CHANNEL === 'pos'
      ? {
          channel: 'pos',
          lines: [{ sku: s, qty: 1 }],
          fulfillment: { type: 'in_store', location_id: loc },
        }
      : { channel: 'app', lines: [{ sku: s, qty: 1 }], fulfillment: { type: 'pickup', location_id: loc } };
  }

  // 3a. --mix: the members, their coupons and points (through the API, 16 at a time).
  const members = MIX ? await setUpMembers(server.url, adminKey, tag) : [];
  if (MIX) {
    const q = await must(server.url, adminKey, 'POST', '/v1/quote', {
      ...orderBody(sku),
      customer: { id: members[0].id },
      coupon_codes: [members[0].coupons[0]],
      points: 100,
    });
    const coupons = q.coupons as { applied: boolean; reason?: string }[];
    const points = q.points as { applied: boolean; reason?: string };
    if (!coupons[0]?.applied || !points?.applied)
      throw new Error(`--mix: the sample quote did not apply the coupon and points: ${JSON.stringify(q)}`);
  }
  /** The body of attempt i: with --mix every fifth a member's coupon, every fifth after it 100 of a member's points. */
  const attemptBody = (i: number): string => {
    if (!MIX || i % 5 > 1) return body;
    const m = members[Math.floor(i / 5) % members.length];
    const spend = i % 5 === 0 ? { coupon_codes: [m.coupons[Math.floor(i / 5 / members.length)]] } : { points: 100 };
    return JSON.stringify({ ...orderBody(sku), customer: { id: m.id }, ...spend });
  };

  // 3b. In-process only: the exact SQL statements of one order and of one sold-out attempt.
  let calibration: { success: string[]; soldOut: string[] } | null = null;
  if (server.sql) {
    await must(server.url, adminKey, 'POST', '/v1/products', {
      sku: calSku,
      name: 'Calibration item',
      category: 'flash',
      list_price: 100,
    });
    await must(server.url, adminKey, 'PUT', `/v1/stock/${loc}/${calSku}`, { on_hand: 2, safety_stock: 0 });
    const s = server.sql;
    const warm = await s.inject('POST', '/v1/orders', orderBody(calSku), appKey); // fills the location and key caches
    const ok = await s.trace(() => s.inject('POST', '/v1/orders', orderBody(calSku), appKey));
    const out = await s.trace(() => s.inject('POST', '/v1/orders', orderBody(calSku), appKey));
    if (warm.status !== 201 || ok.result.status !== 201 || out.result.status !== 409)
      throw new Error(`calibration: ${warm.status} ${ok.result.status} ${out.result.status}`);
    calibration = { success: ok.statements, soldOut: out.statements };
  }

  // 3b'. --restart: the set-up is done; a new server process takes over (SANTONG_WARM_UP as configured).
  if (args.restart) {
    if (MODE !== 'child') throw new Error('--restart needs --mode child');
    await server.close();
    const t = Date.now();
    server = await startChild(benchDbUrl!, adminKey);
    cleanups.push(() => server.close());
    log(`server restarted, listening after ${((Date.now() - t) / 1000).toFixed(1)} s (its own warm-up included)`);
  }

  // 3c. Warm-up: a server that has been serving before the sale (its JIT compiled the order path),
  // as in a shop that opens a flash sale during the day. Orders for another SKU at the same store
  // (WARMUP successes and WARMUP/4 sold-out attempts), then wait until the dispatcher is idle.
  if (WARMUP > 0) {
    const warmSku = `FLASH-WARM-${tag}`;
    const goneSku = `FLASH-GONE-${tag}`;
    for (const [w, units] of [
      [warmSku, WARMUP],
      [goneSku, 0],
    ] as const) {
      await must(server.url, adminKey, 'POST', '/v1/products', {
        sku: w,
        name: 'Warm-up item',
        category: 'warm-up',
        list_price: 500,
      });
      await must(server.url, adminKey, 'PUT', `/v1/stock/${loc}/${w}`, { on_hand: units, safety_stock: 0 });
    }
    const u = new URL(server.url);
    const auth = { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' };
    const plan = [
      ...Array(WARMUP).fill(warmSku),
      ...Array(CHANNEL === 'pos' ? 0 : Math.floor(WARMUP / 4)).fill(goneSku),
    ] as string[];
    let next = 0;
    const t = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: C }, async () => {
        const conn = new RawHttpConnection(u.hostname, Number(u.port));
        try {
          while (next < plan.length) {
            const s = plan[next++];
            const r = await conn.send(
              RawHttpConnection.renderPost(u.host, '/v1/orders', auth, JSON.stringify(orderBody(s))),
            );
            if (r.status !== (s === warmSku ? 201 : 409))
              throw new Error(`warm-up: ${r.status} ${r.text.slice(0, 200)}`);
          }
        } finally {
          conn.close();
        }
      }),
    );
    if (benchDbUrl) {
      const c = new pg.Client({ connectionString: benchDbUrl });
      await c.connect();
      for (let i = 0; i < 120; i++) {
        if (
          Number((await c.query('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL')).rows[0].n) === 0
        )
          break;
        await new Promise((r) => setTimeout(r, 250));
      }
      await c.end();
    } else await new Promise((r) => setTimeout(r, 3000));
    log(`warm-up: ${plan.length} requests in ${(msSince(t) / 1000).toFixed(1)} s, dispatcher idle`);
  }

  // 4. The flash sale.
  const pgc = benchDbUrl ? new pg.Client({ connectionString: benchDbUrl }) : null;
  if (pgc) {
    await pgc.connect();
    cleanups.push(() => pgc.end());
  }
  const dbName = benchDbUrl ? new URL(benchDbUrl).pathname.slice(1) : '';
  const xacts = async () =>
    pgc
      ? (
          await pgc.query(
            'SELECT xact_commit::bigint AS c, xact_rollback::bigint AS r FROM pg_stat_database WHERE datname = $1',
            [dbName],
          )
        ).rows[0]
      : null;
  const x0 = await xacts();
  const sql0 = server.sql?.total() ?? 0;
  const headers = { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' };
  const target = `${server.url}/v1/orders`;
  // raw (default): one pre-rendered request per keep-alive connection (bench/raw-http.ts), the
  // cheapest client; fetch (Node's built-in undici) and node:http with a keep-alive agent for comparison.
  const agent = args.client === 'http' ? new http.Agent({ keepAlive: true, maxSockets: C }) : null;
  const targetUrl = new URL(target);
  const rawRequest = RawHttpConnection.renderPost(targetUrl.host, targetUrl.pathname, headers, body);
  const connections: RawHttpConnection[] = [];
  cleanups.push(async () => connections.forEach((c) => c.close()));
  // --idempotency (and --mix): every attempt carries its own Idempotency-Key, as a retry-safe client sends.
  const headersOf = (i: number) => (KEYS ? { ...headers, 'idempotency-key': `flash-${i}` } : headers);
  const newSender = (): ((i: number) => Promise<{ status: number; text: string }>) => {
    if (args.client === 'raw') {
      const conn = new RawHttpConnection(targetUrl.hostname, Number(targetUrl.port));
      connections.push(conn);
      return (i) =>
        conn.send(
          KEYS
            ? RawHttpConnection.renderPost(targetUrl.host, targetUrl.pathname, headersOf(i), attemptBody(i))
            : rawRequest,
        );
    }
    if (agent) return (i) => httpPost(agent, target, headersOf(i), attemptBody(i));
    return async (i) => {
      const res = await fetch(target, { method: 'POST', headers: headersOf(i), body: attemptBody(i) });
      return { status: res.status, text: await res.text() };
    };
  };
  const latAll: number[] = [];
  const latOk: number[] = [];
  const lat409: number[] = [];
  const codes409 = new Map<string, number>();
  const errorSamples = new Map<string, number>();
  let issued = 0;
  let ok = 0;
  let conflicts = 0;
  let errors = 0;
  let lastOkMs = 0;
  const loadDeadline = Date.now() + LOAD_LIMIT_MS;
  log(`flash sale: ${C} clients, ${ATTEMPTS} attempts on ${K} units (≤ ${LOAD_LIMIT_MS / 1000} s)`);
  await server.probe?.toggle();
  const cpu0 = cpuSnap(server.pid);
  // CPU snapshots every 100 ms, to tell what the sell window (until the last success) cost.
  const cpuSeries: { ms: number; snap: CpuSnap }[] = [];
  const sampler = setInterval(() => cpuSeries.push({ ms: msSince(t0), snap: cpuSnap(server.pid) }), 100);
  // The server's backends come and go (the pool closes idle connections): note every one seen.
  const own = new Set<string>();
  const noteBackends = async () => {
    if (benchDbUrl) for (const pid of await backendsOf(benchDbUrl)) own.add(pid);
  };
  const backendSampler = setInterval(() => void noteBackends(), 250);
  const t0 = process.hrtime.bigint();
  const progress = setInterval(
    () =>
      log(
        `  ${(msSince(t0) / 1000).toFixed(0)} s: ${issued} attempts, ${ok} orders, ${conflicts} × 409, ${errors} errors`,
      ),
    5000,
  );
  await Promise.all(
    Array.from({ length: C }, async () => {
      const send = newSender();
      while (issued < ATTEMPTS && Date.now() < loadDeadline && (MODE !== 'child' || child)) {
        const attempt = issued++;
        const s = process.hrtime.bigint();
        let status = 0;
        let text = '';
        try {
          ({ status, text } = await send(attempt));
        } catch (err) {
          text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        }
        const ms = msSince(s);
        latAll.push(ms);
        if (status === 201) {
          ok++;
          latOk.push(ms);
          lastOkMs = msSince(t0);
        } else if (status === 409) {
          conflicts++;
          lat409.push(ms);
          let code = '?';
          try {
            code = String((JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '?');
          } catch {
            // not JSON
          }
          codes409.set(code, (codes409.get(code) ?? 0) + 1);
        } else {
          errors++;
          const key = `${status} ${text.slice(0, 160)}`;
          errorSamples.set(key, (errorSamples.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  const loadMs = msSince(t0);
  clearInterval(progress);
  const cpuEnd = cpuSnap(server.pid);
  clearInterval(sampler);
  clearInterval(backendSampler);
  await noteBackends();
  if (pgc) own.delete(String((pgc as unknown as { processID: number }).processID));
  const cpu = cpuDelta(cpu0, cpuEnd, own);
  const windowEnd = cpuSeries.find((c) => c.ms >= lastOkMs);
  const cpuWindow = windowEnd ? { ms: windowEnd.ms, ...cpuDelta(cpu0, windowEnd.snap, own) } : null;
  await server.probe?.toggle();
  const sqlDuringLoad = server.sql ? server.sql.total() - sql0 : null;
  const truncated = issued < ATTEMPTS;

  // 5. Checks in the database.
  let check: {
    onHand: number;
    reserved: number;
    active: number;
    consumed: number;
    released: number;
    orders: number;
    badRows: number;
    outboxBacklog: number;
  } | null = null;
  if (pgc) {
    const st = (await pgc.query('SELECT on_hand, reserved FROM stock WHERE location_id = $1 AND sku = $2', [loc, sku]))
      .rows[0];
    const res = (
      await pgc.query(
        'SELECT status, coalesce(sum(qty), 0)::int AS units FROM stock_reservations WHERE location_id = $1 AND sku = $2 GROUP BY status',
        [loc, sku],
      )
    ).rows as { status: string; units: number }[];
    const units = (s: string) => res.find((r) => r.status === s)?.units ?? 0;
    const orders = Number(
      (await pgc.query('SELECT count(DISTINCT order_id)::int AS n FROM order_lines WHERE sku = $1', [sku])).rows[0].n,
    );
    const badRows = Number(
      await pgc.query('SELECT count(*)::int AS n FROM stock WHERE reserved > on_hand').then((r) => r.rows[0].n),
    );
    const outboxBacklog = Number(
      (await pgc.query('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL')).rows[0].n,
    );
    check = {
      onHand: st.on_hand,
      reserved: st.reserved,
      active: units('active'),
      consumed: units('consumed'),
      released: units('released'),
      orders,
      badRows,
      outboxBacklog,
    };
  } else {
    log('no --db given: skipping the database checks (overselling is then only checked through the API)');
  }
  const apiStock = (await must(server.url, adminKey, 'GET', `/v1/stock/${sku}`)) as {
    locations: { location_id: string; on_hand: number; reserved: number }[];
  };
  const apiRow = apiStock.locations.find((l) => l.location_id === loc);

  // Stop the server so its connections flush their statistics, then read the transaction counters.
  const probeBeforeClose = MODE === 'inprocess' ? await server.probe?.report() : null;
  await server.close();
  const probe = probeBeforeClose ?? (await server.probe?.report()) ?? null;
  let rolledBack: number | null = null;
  let committed: number | null = null;
  if (pgc && x0 && MODE !== 'external') {
    await new Promise((r) => setTimeout(r, 300));
    const x1 = await xacts();
    rolledBack = Number(x1.r) - Number(x0.r);
    committed = Number(x1.c) - Number(x0.c);
  }

  // 6. Report.
  const sellWindowS = (ok === K ? lastOkMs : loadMs) / 1000;
  const orderRate = ok / sellWindowS;
  const soldUnits = check ? check.active + check.consumed : (apiRow?.reserved ?? 0) + (K - (apiRow?.on_hand ?? K));
  const oversold = Math.max(0, soldUnits - K);
  const invariantBroken = check
    ? check.badRows > 0 || check.reserved > check.onHand || check.reserved !== check.active || check.orders !== ok
    : (apiRow?.reserved ?? 0) > (apiRow?.on_hand ?? 0);
  const all = summarise(latAll);
  const suc = summarise(latOk);
  const c409 = summarise(lat409);
  const ratio = orderRate / bare.rate;
  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  p('');
  p('================ FLASH SALE SUMMARY ================');
  p(
    `machine            ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  p(`code               ${codeRevision()}`);
  p(
    `server             ${MODE === 'child' ? 'separate process (node bin/santong.js start)' : MODE === 'inprocess' ? 'in this process (startSantong), sharing the event loop with the load' : server.url}`,
  );
  if (MODE !== 'external')
    p(
      `group commit       SANTONG_ORDER_BATCH=${process.env.SANTONG_ORDER_BATCH || '32 (default)'} SANTONG_ORDER_WRITERS=${process.env.SANTONG_ORDER_WRITERS || '1 (default)'}`,
    );
  p(
    `K units / clients  ${K} / ${C}   (${CHANNEL === 'pos' ? 'in store, completed, guests' : 'pickup'}, qty 1, channel ${CHANNEL}, sales rollups ${args.rollups}, one store, one SKU${KEYS ? ', an Idempotency-Key per attempt' : ''}${MIX ? `, 20 % with a coupon and 20 % spending 100 points of ${MEMBERS} members` : ''}; warm-up ${WARMUP} orders + ${CHANNEL === 'pos' ? 0 : Math.floor(WARMUP / 4)} sold-out attempts on another SKU before); HTTP client: ${{ raw: 'raw keep-alive connections (bench/raw-http.ts)', http: 'node:http keep-alive agent', fetch: 'fetch (undici, keep-alive)' }[args.client]}`,
  );
  p(
    `attempts           ${issued}${truncated ? ` (stopped at the ${LOAD_LIMIT_MS / 1000} s limit)` : ''} in ${fmt(loadMs / 1000, 2)} s  → ${fmt(issued / (loadMs / 1000), 0)} attempts/s`,
  );
  p(`successful orders  ${ok}  (sold out after ${fmt(sellWindowS, 2)} s)`);
  p(`order rate         ${fmt(orderRate, 0)} successful orders/s (while stock lasted)`);
  p(`409                ${conflicts}  ${[...codes409].map(([c, n]) => `${c}: ${n}`).join(', ')}`);
  p(`errors             ${errors}`);
  for (const [e, n] of [...errorSamples].slice(0, 5)) p(`                     ${n} × ${e}`);
  p(`latency all        p50 ${fmt(all.p50)} ms   p99 ${fmt(all.p99)} ms   max ${fmt(all.max)} ms   (n=${all.n})`);
  p(`latency successes  p50 ${fmt(suc.p50)} ms   p99 ${fmt(suc.p99)} ms   max ${fmt(suc.max)} ms   (n=${suc.n})`);
  p(`latency 409s       p50 ${fmt(c409.p50)} ms   p99 ${fmt(c409.p99)} ms   max ${fmt(c409.max)} ms   (n=${c409.n})`);
  if (check) {
    p(
      `stock row          on_hand ${check.onHand}, reserved ${check.reserved}; reservations active ${check.active} + consumed ${check.consumed} (released ${check.released}); orders in DB ${check.orders}`,
    );
    p(`outbox backlog     ${check.outboxBacklog} events not yet dispatched at the end of the load`);
  } else if (apiRow) p(`stock (via API)    on_hand ${apiRow.on_hand}, reserved ${apiRow.reserved}`);
  p(
    `OVERSOLD UNITS     ${oversold}${invariantBroken ? '   ** STOCK INVARIANT BROKEN **' : '   (reserved ≤ on_hand; reserved = active reservations = orders)'}`,
  );
  if (committed !== null)
    p(
      `db transactions    ${committed} committed, ${rolledBack} rolled back during the load (rollbacks = reservations that lost the race and were re-routed)`,
    );
  if (cpuWindow) {
    const per = (sec: number | null) => (sec === null ? 'n/a' : fmt((1000 * sec) / Math.max(1, ok), 2));
    p(
      `cpu in sell window first ${fmt(cpuWindow.ms / 1000, 2)} s: load generator ${fmt(cpuWindow.self)} s, server ${cpuWindow.server !== null ? fmt(cpuWindow.server) : 'n/a'} s, postgres ${fmt(cpuWindow.pg)} s (the server's backends ${fmt(cpuWindow.pgOwn)} s), others ${fmt(cpuWindow.others)} s, machine busy ${fmt(cpuWindow.machineBusyPct, 0)}%`,
    );
    p(
      `                   per successful order (ms): load generator ${per(cpuWindow.self)}, server ${per(cpuWindow.server)}, postgres ${per(cpuWindow.pg)} (the server's backends ${per(cpuWindow.pgOwn)})`,
    );
  }
  p(
    `cpu during load    load generator${MODE === 'inprocess' ? ' + server' : ''} ${fmt(cpu.self)} s${cpu.server !== null ? `, server ${fmt(cpu.server)} s` : ''}, postgres (all its processes) ${fmt(cpu.pg)} s, other processes${MODE === 'external' ? ' (the server included)' : ''} ${fmt(cpu.others)} s; machine busy ${fmt(cpu.machineBusyPct, 0)}% of ${os.cpus().length} cores over ${fmt(loadMs / 1000)} s`,
  );
  p(
    `machine load       load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before the run${loadBefore[0] > 0.5 ? '  ** the machine was not idle: figures are noisy **' : ''}`,
  );
  if (sqlDuringLoad !== null)
    p(
      `sql statements     ${sqlDuringLoad} sent during the load (${fmt(sqlDuringLoad / issued, 2)} per attempt, dispatcher included)`,
    );
  if (probe) {
    const upd = summarise(probe.holds.map((h) => h[0]));
    const gap = summarise(probe.holds.map((h) => h[1]));
    const com = summarise(probe.holds.map((h) => h[2]));
    const heldMs = probe.holds.reduce((t, h) => t + h[1] + h[2], 0);
    p(
      `server sql         ${probe.statements} statements while the load ran = ${fmt(probe.statements / issued, 2)} per attempt (dispatcher included); ${probe.lostRaces} reserve UPDATEs matched no row`,
    );
    p(
      `                     ${Object.entries(probe.kinds)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    const inWindow = new Map<string, number>();
    for (const [ms, kind] of probe.timeline) if (ms <= lastOkMs) inWindow.set(kind, (inWindow.get(kind) ?? 0) + 1);
    const windowTotal = [...inWindow.values()].reduce((t, n) => t + n, 0);
    p(
      `  in the sell window ${windowTotal} statements = ${fmt(windowTotal / Math.max(1, ok), 2)} per successful order: ${[
        ...inWindow.entries(),
      ]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    p(`hot-row lock       per committed reservation (n=${probe.holds.length}), as seen by the server's pg driver:`);
    p(`                     reserve UPDATE (lock wait included)  p50 ${fmt(upd.p50, 2)} ms  p99 ${fmt(upd.p99, 2)} ms`);
    p(
      `                     UPDATE answer → COMMIT sent (app)     p50 ${fmt(gap.p50, 2)} ms  p99 ${fmt(gap.p99, 2)} ms`,
    );
    p(
      `                     COMMIT round trip (WAL flush)         p50 ${fmt(com.p50, 2)} ms  p99 ${fmt(com.p99, 2)} ms`,
    );
    p(
      `                     row held after the UPDATE answered: ${fmt(heldMs / 1000, 2)} s of the ${fmt(sellWindowS, 2)} s sell window (${fmt((100 * heldMs) / 1000 / sellWindowS, 0)}%)`,
    );
  }
  if (calibration) {
    p(
      `round trips/order  ${calibration.success.length} SQL statements for one successful order, ${calibration.soldOut.length} for a sold-out attempt:`,
    );
    for (const s of calibration.success) p(`                     ${s.slice(0, 110)}`);
  }
  p('--- baseline: bare hot-row update on the same PostgreSQL database ---');
  for (const b of [bare, bareTx]) {
    p(
      `${b.label.padEnd(40)} ${fmt(b.rate, 0)} updates/s (${b.updates} in ${fmt(b.seconds, 2)} s${b.exhausted ? '' : ', time limit'}), p50 ${fmt(b.latency.p50, 2)} ms, p99 ${fmt(b.latency.p99, 2)} ms`,
    );
  }
  p(`ratio = order rate / bare update rate = ${fmt(orderRate, 0)} / ${fmt(bare.rate, 0)} = ${fmt(ratio, 3)}`);
  p(`        (vs BEGIN/UPDATE/COMMIT baseline: ${fmt(orderRate / bareTx.rate, 3)})`);
  p(`total run time     ${fmt((Date.now() - runStarted) / 1000)} s`);
  p('====================================================');
  process.stdout.write(lines.join('\n') + '\n');
  return oversold > 0 || invariantBroken ? 1 : 0;
}

let exitCode = 2;
try {
  exitCode = await main();
} catch (err) {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanup();
}
process.exit(exitCode);
