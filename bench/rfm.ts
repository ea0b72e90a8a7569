/**
 * RFM run time against the bare aggregate over the same orders (issue 13: ratio ≤ 2), on
 * PostgreSQL: seeds the demo retailer into a scratch database, then alternates the two, best of
 * --rounds each. Usage: npx tsx bench/rfm.ts [--pg URL] [--customers N] [--rounds R];
 * KEEP=1 leaves the scratch database behind for probing with psql.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { KeyRing } from '../src/platform/crypto/keys';
import { openDatabase } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';
import { seedDemo } from '../src/demo/seed';
import { runRfmNow } from '../src/modules/audiences/rfm-service';
import { adminQueryAt, databaseUrl } from './harness';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    customers: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
  },
});
const name = `santong_bench_rfm_${process.pid}`;
await adminQueryAt(args.pg, `CREATE DATABASE ${name}`);
const database = await openDatabase({ databaseUrl: databaseUrl(args.pg, name), dataDir: '', poolSize: 2 });
try {
  await migrate(database);
  const anchor = new Date();
  const seeded = await seedDemo(database, new KeyRing(crypto.randomBytes(32)), {
    customers: Number(args.customers),
    months: 12,
    seed: 42,
    eventsPerCustomer: 0,
    anchor,
  });
  console.log(`seeded ${seeded.customers} customers, ${seeded.orders} orders in ${seeded.ms} ms`);
  const timed = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const bare = () =>
    sql`SELECT customer_id, max(placed_at), count(*), sum(total) FROM orders GROUP BY 1`.execute(database.db);
  const best = { bare: Infinity, rfm: Infinity };
  for (let i = 0; i < Number(args.rounds); i++) {
    best.bare = Math.min(best.bare, await timed(bare));
    best.rfm = Math.min(best.rfm, await timed(() => runRfmNow(database, { asOf: anchor, windowDays: 365 })));
  }
  const runs = await sql<{
    customers: number;
  }>`SELECT customers FROM rfm_runs ORDER BY finished_at DESC LIMIT 1`.execute(database.db);
  console.log(
    JSON.stringify({
      customers_scored: runs.rows[0]?.customers,
      bare_ms: Math.round(best.bare),
      rfm_ms: Math.round(best.rfm),
      ratio: Number((best.rfm / best.bare).toFixed(2)),
    }),
  );
} finally {
  await database.close();
  if (!process.env.KEEP) await adminQueryAt(args.pg, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
