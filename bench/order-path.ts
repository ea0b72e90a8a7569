/**
 * The order path without HTTP: C loops in this process call placeOrder (pricing, routing, the
 * order writer) for one hot SKU at one store until its K units are sold, on a fresh PostgreSQL
 * database. Separates what the order path itself can do from the HTTP server and load generator
 * of bench/flash-sale.ts. Group commit is set as for the server (SANTONG_ORDER_BATCH,
 * SANTONG_ORDER_WRITERS in the environment).
 *
 *   npx tsx bench/order-path.ts [--k 2000] [--clients 16] [--pg postgres://postgres@127.0.0.1:5432/test]
 *
 * Only talks to 127.0.0.1. Creates a database `santong_bench_<hex>` and drops it at the end; exits 1
 * if anything was oversold or the stock row disagrees with the reservations, 3 on its time limit (120 s).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { adminQueryAt, benchServerEnv, databaseUrl, runCleanups, startWatchdog } from './harness';
import type { Principal } from '../src/platform/auth/roles';
import type { PlaceOrderInput } from '../src/modules/orders/plan';

const { values: args } = parseArgs({
  options: {
    k: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '16' },
    pg: { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
  strict: true,
});
const K = Number(args.k);
const C = Number(args.clients);
if (!Number.isInteger(K) || K < 1 || !Number.isInteger(C) || C < 1)
  throw new Error('--k and --clients must be positive integers');
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(args.pg).hostname))
  throw new Error('--pg must point at 127.0.0.1');

const log = (m: string) => console.log(`[order-path] ${m}`);
const cleanups: (() => Promise<void>)[] = [];
startWatchdog(120_000, cleanups, log);

const name = `santong_bench_${crypto.randomBytes(4).toString('hex')}`;
const url = databaseUrl(args.pg, name);
await adminQueryAt(args.pg, `CREATE DATABASE ${name}`);
cleanups.push(() => adminQueryAt(args.pg, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
let exitCode = 0;
try {
  const { loadConfig } = await import('../src/platform/config');
  const { startSantong } = await import('../src/app');
  const { placeOrder } = await import('../src/modules/orders/place-order');
  const { orderWriter } = await import('../src/modules/orders/group-commit');
  const { AppError } = await import('../src/platform/http/errors');
  const adminKey = 'st_bench_' + crypto.randomBytes(12).toString('hex');
  const santong = await startSantong(loadConfig({ ...process.env, ...benchServerEnv(url, adminKey) }));
  cleanups.push(() => santong.close());
  const api = async (method: string, p: string, body: unknown) => {
    const r = await fetch(`${santong.url.replace('localhost', '127.0.0.1')}/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${method} ${p} → ${r.status} ${await r.text()}`);
  };
  await api('POST', '/locations', {
    id: 'hot-store',
    name: 'Hot store',
    type: 'store',
    lat: 31.2304,
    lng: 121.4737,
    capabilities: { ship: false, pickup: true, local_delivery_km: null },
  });
  await api('POST', '/products', { sku: 'HOT-1', name: 'Hot', category: 'snacks', list_price: 990 });
  await api('PUT', '/stock/hot-store/HOT-1', { on_hand: K, safety_stock: 0 });

  const principal: Principal = {
    keyId: 'bench',
    name: 'bench',
    role: 'admin',
    locationId: null,
    channel: null,
    scopes: [],
  };
  const input: PlaceOrderInput = {
    channel: 'app',
    lines: [{ sku: 'HOT-1', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'hot-store' },
  };
  const writer = orderWriter(santong.ctx);
  let ok = 0;
  let soldOut = 0;
  let errors = 0;
  let lastOk = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      // Each loop stops at its first 409: the stock is gone.
      for (;;) {
        try {
          await placeOrder(santong.ctx, principal, input);
          ok++;
          lastOk = performance.now();
        } catch (e) {
          if (e instanceof AppError && e.code === 'insufficient_stock') {
            soldOut++;
            return;
          }
          errors++;
          if (errors > 100) throw e;
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const secs = (lastOk - t0) / 1000;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const row = (
    await c.query(
      `SELECT on_hand, reserved, (SELECT count(*)::int FROM orders) AS orders, (SELECT coalesce(sum(qty), 0)::int FROM stock_reservations WHERE status = 'active') AS active FROM stock WHERE sku = 'HOT-1'`,
    )
  ).rows[0];
  await c.end();
  const oversold = Math.max(0, row.reserved - row.on_hand, row.orders - K);
  const broken = row.reserved !== row.active || row.orders !== ok;
  const [l1, l5] = os.loadavg();
  console.log('================ ORDER PATH (in process, no HTTP) ================');
  console.log(`group commit       SANTONG_ORDER_BATCH=${writer.options.maxBatch} writers=${writer.options.writers}`);
  console.log(`K units / clients  ${K} / ${C}   load average before the end ${l1.toFixed(2)} ${l5.toFixed(2)}`);
  console.log(
    `orders             ${ok} in ${secs.toFixed(2)} s  → ${Math.round(ok / secs)} orders/s; ${soldOut} loops ended on 409, ${errors} errors`,
  );
  console.log(
    `writer             ${writer.stats.batches} batches (${writer.stats.batchedItems} orders, largest ${writer.stats.largest}), ${writer.stats.alone} written alone, ${writer.stats.split} batches split`,
  );
  console.log(
    `node cpu           ${((cpu.user + cpu.system) / 1000 / ok).toFixed(2)} ms per order (this process: placeOrder, driver, dispatcher)`,
  );
  console.log(
    `stock row          on_hand ${row.on_hand}, reserved ${row.reserved}, active reservations ${row.active}, orders ${row.orders}`,
  );
  console.log(`OVERSOLD UNITS     ${oversold}${broken ? '   ** STOCK INVARIANT BROKEN **' : ''}`);
  if (oversold > 0 || broken) exitCode = 1;
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
  exitCode = 1;
} finally {
  await runCleanups(cleanups, log);
}
process.exit(exitCode);
