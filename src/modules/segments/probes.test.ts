import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { members } from './compile';
import { previewQuery } from './preview';
import { parseRule } from './rule';
import { PROPERTY_SEED, rng } from '../../../test/fixtures/random';

// An `all` with a selective leaf (an event or order in a short window) compiles its other event and
// order leaves as correlated probes (compile.ts): on random people, events and orders, such a rule
// must select exactly the people every one of its parts selects on its own (each part alone is
// compiled as before), and its plan must probe (a sub-plan) where the part alone does not.

let s: TestServer;
let db: Kysely<DB>;
const SEED = PROPERTY_SEED;
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const DAY = 86_400_000;
const daysAgo = () => pick([0, 1, 2, 5, 6, 8, 20, 29, 31, 60, 200]);

const RULES = [
  { all: [{ event: { type: 'product_viewed', within_days: 7 } }, { ordered: { within_days: 30 } }] },
  { all: [{ event: { type: 'product_viewed', within_days: 7 } }, { ordered: { count: { eq: 0 } } }] },
  { all: [{ event: { type: 'added_to_cart', within_days: 7 } }, { not: { ordered: { within_days: 7 } } }] },
  { all: [{ ordered: { within_days: 3 } }, { event: { type: 'product_viewed', count: { gte: 2 } } }] },
  {
    all: [
      { event: { type: 'product_viewed', within_days: 7 } },
      { ordered: { spend: { gte: 3000 }, within_days: 365 } },
    ],
  },
  {
    all: [
      { event: { type: 'product_viewed', within_days: 7 } },
      { any: [{ ordered: { sku: 'MILK' } }, { event: { type: 'added_to_cart', count: { lt: 1 } } }] },
    ],
  },
  {
    all: [
      { event: { type: 'product_viewed', within_days: 30, properties: { sku: 'TV' } } },
      { event: { type: 'added_to_cart', count: { gte: 1, lte: 2 } } },
      { ordered: { count: { lt: 2 }, spend: { lte: 5000 } } },
    ],
  },
];

async function selected(rule: unknown, asOf: Date): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT m.id FROM ${members(parseRule(rule), asOf)} m ORDER BY 1`.execute(db);
  return r.rows.map((x) => x.id);
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  db = s.santong.ctx.database.db;
  await setupGoods(s, { mid: { MILK: 10_000, CHIPS: 10_000, TV: 1000 } });
  const events = [];
  for (let i = 0; i < 12; i++) {
    const phone = `1393${String(process.pid % 10_000).padStart(4, '0')}${String(i).padStart(3, '0')}`;
    const id = (
      await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: phone }] })
    ).customer_id as string;
    for (let k = Math.floor(rand() * 4); k > 0; k--) {
      const o = await must(s, 'POST', '/v1/orders', {
        channel: 'pos',
        customer: { id },
        lines: [{ sku: pick(['MILK', 'CHIPS', 'TV']), qty: 1 + Math.floor(rand() * 3) }],
        fulfillment: { type: 'in_store', location_id: 'mid' },
      });
      const at = new Date(Date.now() - daysAgo() * DAY).toISOString();
      await sql`UPDATE orders SET placed_at = ${at}::timestamptz WHERE id = ${o.id as string}`.execute(db);
    }
    for (let k = Math.floor(rand() * 5); k > 0; k--) {
      const type = pick(['product_viewed', 'product_viewed', 'added_to_cart']);
      events.push({
        event_id: `probe-${process.pid}-${i}-${k}`,
        type,
        occurred_at: new Date(Date.now() - daysAgo() * DAY - 60_000).toISOString(),
        channel: 'app',
        customer_id: id,
        properties: { sku: pick(['MILK', 'TV']), ...(type === 'added_to_cart' ? { qty: 1 } : {}) },
      });
    }
  }
  const r = await must(s, 'POST', '/v1/events', { events });
  expect(r.rejected).toEqual([]);
}, 120_000);
afterAll(async () => s?.close());

describe(`an all with a selective leaf (seed ${SEED})`, () => {
  it('selects exactly the people every part selects on its own', async () => {
    const asOf = new Date();
    for (const rule of RULES) {
      const parts: string[][] = [];
      for (const part of rule.all) parts.push(await selected(part, asOf));
      const both = parts.reduce((acc, p) => acc.filter((id) => p.includes(id)));
      expect(await selected(rule, asOf), JSON.stringify(rule)).toEqual(both);
    }
  });

  it("probes the other leaves per candidate (a sub-plan), never a join over everyone's orders", async () => {
    const plan = async (rule: unknown) =>
      (await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${previewQuery(parseRule(rule), new Date())}`.execute(db)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    expect(await plan(RULES[0])).toMatch(/SubPlan/);
    expect(await plan(RULES[0].all[1])).not.toMatch(/SubPlan/);
  });
});
