/**
 * Checkout quote benchmark on real PostgreSQL: C concurrent HTTP clients call `POST /v1/quote` for
 * demo members with a 3-line basket, one of their coupons and some of their points (the full engine:
 * catalogue, coupons, points balance and rules, promotion pauses) for D seconds.
 * Baseline, same run, same server, same clients: `GET /v1/products/:sku` (one authenticated indexed
 * read through the same HTTP stack), so the ratio is what pricing costs over the cheapest API call.
 *
 *   npx tsx bench/quote.ts [--customers 5000] [--members 1000] [--clients 16] [--seconds 20]
 *
 * Only talks to 127.0.0.1. Creates a database `santong_bench_<hex>` and drops it at the end.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Rng } from '../src/demo/rng';
import { codeRevision } from './revision';
import { adminQueryAt, databaseUrl, runCleanups, startWatchdog } from './harness';
import { fmt, msSince, positiveInt, summarise, type Summary } from './stats';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '5000' },
    members: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '20' },
    pg: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
  strict: true,
});
const CUSTOMERS = positiveInt(args.customers, 'customers');
const MEMBERS = positiveInt(args.members, 'members');
const C = positiveInt(args.clients, 'clients');
const SECONDS = positiveInt(args.seconds, 'seconds');
if (new URL(args.pg).hostname !== '127.0.0.1' && new URL(args.pg).hostname !== 'localhost')
  throw new Error('--pg must point at 127.0.0.1');

const log = (s: string) => process.stderr.write(`[quote] ${s}\n`);
const cleanups: (() => Promise<void>)[] = [];
startWatchdog(15 * 60_000, cleanups, log);

const rng = new Rng(42);
const rand = () => rng.next();
const pick = <T>(xs: readonly T[]): T => rng.pick(xs);

interface Phase {
  label: string;
  calls: number;
  errors: number;
  rate: number;
  latency: Summary;
}

/** C clients loop `call` for `seconds`; every response must have status `ok`. */
async function load(label: string, seconds: number, call: () => Promise<number>, ok: number): Promise<Phase> {
  const lat: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        const status = await call();
        lat.push(msSince(t));
        if (status !== ok) errors++;
      }
    }),
  );
  const ms = msSince(t0);
  return { label, calls: lat.length, errors, rate: (lat.length / ms) * 1000, latency: summarise(lat) };
}

async function main(): Promise<void> {
  const name = `santong_bench_${crypto.randomBytes(4).toString('hex')}`;
  await adminQueryAt(args.pg, `CREATE DATABASE ${name}`);
  cleanups.push(() => adminQueryAt(args.pg, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const adminKey = 'st_bench_' + crypto.randomBytes(12).toString('hex');
  const { loadConfig } = await import('../src/platform/config');
  const { startSantong } = await import('../src/app');
  const { seedDemo } = await import('../src/demo/seed');
  const t0 = Date.now();
  const santong = await startSantong(
    loadConfig({
      PORT: '0',
      DATABASE_URL: databaseUrl(args.pg, name),
      SANTONG_ADMIN_KEY: adminKey,
      SANTONG_DEMO: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      SANTONG_MASTER_KEY: crypto.createHash('sha256').update('bench').digest('hex'),
    }),
    {
      startDispatcher: false,
      beforeListen: async (ctx) =>
        void (await seedDemo(ctx.database, ctx.keys, {
          customers: CUSTOMERS,
          months: 3,
          seed: 11,
          eventsPerCustomer: 0,
          chunkSize: 5000,
        })),
    },
  );
  cleanups.push(() => santong.close());
  const url = santong.url.replace('localhost', '127.0.0.1');
  log(
    `server on PostgreSQL with a ${CUSTOMERS}-customer demo retailer, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const must = async (method: string, path: string, body?: unknown) => {
    const r = await api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  // Members with a coupon each and points; a basket from the app catalogue.
  const db = santong.ctx.database.db;
  const customers = (
    await db.selectFrom('customers').select('id').where('kind', '=', 'known').orderBy('id').limit(MEMBERS).execute()
  ).map((r) => r.id);
  const skus = (await db.selectFrom('products').select(['sku', 'channels']).execute())
    .filter((p) => p.channels.includes('app'))
    .map((p) => p.sku);
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const tpl = await must('POST', '/v1/coupon-templates', {
    name: '满99减20',
    kind: 'threshold',
    value: 2000,
    min_spend: 9900,
    channels: ['online'],
    valid_from: from,
    valid_to: to,
    budget: MEMBERS,
    per_customer_limit: 1,
    stackable: true,
  });
  const tp2 = await must('POST', '/v1/coupon-templates', {
    name: '9折',
    kind: 'percent_off',
    value: 10,
    cap: 3000,
    channels: ['online'],
    valid_from: from,
    valid_to: to,
    budget: MEMBERS,
    per_customer_limit: 1,
    stackable: true,
  });
  const wallet = new Map<string, string[]>();
  const t1 = Date.now();
  for (const id of customers) {
    const a = await must('POST', '/v1/coupons/issue', { template_id: tpl.id, customer: { id } });
    const b = await must('POST', '/v1/coupons/issue', { template_id: tp2.id, customer: { id } });
    await must('POST', '/v1/points/adjust', { customer: { id }, points: 5000, reason: 'benchmark' });
    wallet.set(id, [b.code, a.code]);
  }
  log(`${customers.length} members given 2 coupons and 5000 points in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  const body = () => {
    const id = pick(customers);
    const basket = new Set<string>();
    while (basket.size < 3) basket.add(pick(skus));
    return {
      channel: 'app',
      customer: { id },
      lines: [...basket].map((sku) => ({ sku, qty: 1 + Math.floor(rand() * 3) })),
      fulfillment: {
        type: 'delivery',
        lat: 31.2304,
        lng: 121.4737,
        address: '上海市黄浦区人民大道200号',
        speed: 'hour',
      },
      coupon_codes: wallet.get(id)!,
      points: 100,
    };
  };
  // A sample quote, so the figures are known to be of real pricing work.
  const sample = await must('POST', '/v1/quote', body());
  log(
    `sample quote: ${sample.lines.length} lines, coupons ${sample.coupons.map((c: { applied: boolean; reason?: string }) => (c.applied ? 'applied' : c.reason)).join('/')}, points ${sample.points.applied}, total ${sample.totals.total} fen`,
  );

  await load('warm-up', 3, async () => (await api('POST', '/v1/quote', body())).status, 200);
  const baseline = await load(
    'GET /v1/products/:sku',
    SECONDS,
    async () => (await api('GET', `/v1/products/${encodeURIComponent(pick(skus))}`)).status,
    200,
  );
  const quote = await load('POST /v1/quote', SECONDS, async () => (await api('POST', '/v1/quote', body())).status, 200);

  const p = (s: string) => process.stdout.write(s + '\n');
  p(`# quote benchmark — ${new Date().toISOString()} — ${codeRevision()}`);
  p(
    `machine            ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  p(
    `database           PostgreSQL (${name}), demo retailer ${CUSTOMERS} customers; ${customers.length} members with 2 coupons + 5000 points`,
  );
  p(`load               ${C} concurrent clients (fetch, keep-alive), ${SECONDS} s per phase, server in this process`);
  for (const ph of [baseline, quote]) {
    p(
      `${ph.label.padEnd(24)} ${fmt(ph.rate, 0)} req/s  p50 ${fmt(ph.latency.p50, 2)} ms  p99 ${fmt(ph.latency.p99, 2)} ms  max ${fmt(ph.latency.max, 1)} ms  (${ph.calls} calls, ${ph.errors} errors)`,
    );
  }
  p(`ratio              quote / baseline throughput = ${fmt(quote.rate / baseline.rate, 3)}`);
  if (quote.errors > 0 || baseline.errors > 0) process.exitCode = 1;
}

main()
  .catch((err) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  })
  .finally(() => runCleanups(cleanups, log));
