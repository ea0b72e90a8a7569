import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { rebuildCategoryRollup, syncCategoryRollup } from './category-rollup';
import { refreshSegment } from './membership';
import { members } from './compile';
import { parseRule } from './rule';
import { PROPERTY_SEED, rng } from '../../../test/fixtures/random';

// The per-person category rollup (migration 2960, category-rollup.ts), property-style: random
// sales at the till, online orders paid or left unpaid, cancellations, returns, sales moved into
// the past (so that long windows cut through a person's purchases), a product moved to another
// category and merges; after each round the synced rollup must equal a recomputation from the raw
// rows, and every category leaf must select from the rollup exactly the people the order lines do.

let s: TestServer;
let db: Kysely<DB>;
const SEED = PROPERTY_SEED;
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const SKUS = ['MILK', 'CHIPS', 'TV', 'BOTTLE'];
const identify = (body: Record<string, unknown>) => must(s, 'POST', '/v1/identify', { channel: 'app', ...body });

interface Person {
  id: string;
  phone: string;
  card: string;
}
const people: Person[] = [];
const sales: string[] = [];
const unpaid: string[] = [];
const merged = new Set<string>();

const lines = () =>
  [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(SKUS)))].map((sku) => ({
    sku,
    qty: 1 + Math.floor(rand() * 3),
  }));

const ops: (() => Promise<unknown>)[] = [
  async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { id: pick(people).id },
      lines: lines(),
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    sales.push(o.id);
  },
  async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      customer: { id: pick(people).id },
      lines: lines(),
      fulfillment: { type: 'pickup', location_id: 'mid' },
    });
    unpaid.push(o.id);
  },
  async () => {
    const id = unpaid.pop();
    if (!id) return;
    // a cancelled one cannot be paid (409)
    const r = await must(s, 'POST', `/v1/orders/${id}/pay`, { payment_ref: `pay-${id}` }, [200, 201, 409]);
    if (!r.error) sales.push(id);
  },
  // cancelled: unpaid, or a sale (a completed one answers 409 and stays a sale)
  async () => {
    const id = pick([...sales, ...unpaid]);
    if (id) await must(s, 'POST', `/v1/orders/${id}/cancel`, {}, [200, 409]);
  },
  async () => {
    const id = pick(sales);
    if (!id) return;
    const o = await must(s, 'GET', `/v1/orders/${id}`);
    await must(
      s,
      'POST',
      `/v1/orders/${id}/returns`,
      { lines: [{ sku: o.lines[0].sku, qty: 1 }], location_id: 'mid', reason: 'no_reason' },
      [201, 409, 422],
    );
  },
  // an older sale (an import of history): 10 to 400 days ago
  async () => {
    const at = new Date(Date.now() - (10 + rand() * 390) * 86_400_000).toISOString();
    const id = pick(sales);
    if (id)
      await sql`UPDATE orders SET placed_at = ${at}::timestamptz, updated_at = now() WHERE id = ${id}`.execute(db);
  },
  async () =>
    must(s, 'PUT', '/v1/products/CHIPS', {
      name: 'Chips',
      category: pick(['snacks', 'mother_baby']),
      list_price: 999,
    }),
  // a merge: a phone person and a member-card person turn out to be one
  async () => {
    const cards = people.slice(3).filter((p) => !merged.has(p.id));
    if (cards.length === 0) return;
    const [x, y] = [pick(people.slice(0, 3)), pick(cards)];
    merged.add(y.id);
    await identify({
      identifiers: [
        { type: 'phone', value: x.phone },
        { type: 'member_card', value: y.card },
      ],
    });
  },
];

const RULES = [
  { ordered: { category: 'mother_baby' } },
  { ordered: { category: 'snacks', count: { gte: 2 } } },
  { ordered: { category: 'appliances', spend: { gte: 500_000 } } },
  { ordered: { category: 'fresh', count: { eq: 0 } } },
  { ordered: { category: 'snacks', within_days: 365, spend: { gte: 2000 } } },
  { ordered: { category: 'mother_baby', within_days: 180, count: { gte: 2 } } },
  { ordered: { category: 'fresh', within_days: 90, count: { lt: 2 } } },
  { not: { ordered: { category: 'appliances', within_days: 120 } } },
  // the rollup read by a probe, after a selective leaf
  { all: [{ ordered: { within_days: 30 } }, { ordered: { category: 'snacks', within_days: 365, count: { gte: 2 } } }] },
  { all: [{ ordered: { within_days: 7 } }, { ordered: { category: 'fresh', spend: { lt: 5000 } } }] },
];

type RollupRow = Record<string, unknown> & { first_at: Date; last_at: Date };
async function rollupRows() {
  const r = await sql<RollupRow>`SELECT customer_id, category, orders, units::text AS units, amount::text AS amount,
      first_at, last_at FROM segment_category_rollup ORDER BY customer_id, category`.execute(db);
  return r.rows;
}
/** The rollup as the definition says, from the raw rows. */
async function recomputed() {
  const r =
    await sql<RollupRow>`SELECT o.customer_id, p.category, count(DISTINCT o.id)::int AS orders, sum(l.qty)::text AS units,
      sum(l.amount)::text AS amount, min(o.placed_at) AS first_at, max(o.placed_at) AS last_at
    FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.sku = l.sku
    WHERE o.customer_id IS NOT NULL AND (o.paid_at IS NOT NULL OR o.status = 'completed')
      AND o.status NOT IN ('cancelled', 'expired')
    GROUP BY o.customer_id, p.category ORDER BY o.customer_id, p.category`.execute(db);
  return r.rows;
}
async function selected(rule: unknown, categoryRollup: boolean, asOf: Date): Promise<string[]> {
  const r = await sql<{ id: string }>`
    SELECT m.id FROM ${members(parseRule(rule), asOf, undefined, undefined, { categoryRollup })} m ORDER BY 1`.execute(
    db,
  );
  return r.rows.map((x) => x.id);
}

async function storedOf(id: string): Promise<string[]> {
  const r = await sql<{ id: string }>`
    SELECT customer_id AS id FROM segment_members WHERE segment_id = ${id} ORDER BY 1`.execute(db);
  return r.rows.map((x) => x.id);
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  db = s.santong.ctx.database.db;
  await setupGoods(s, { mid: { MILK: 10_000, CHIPS: 10_000, TV: 1000 } });
  await must(s, 'POST', '/v1/products', { sku: 'BOTTLE', name: 'Bottle', category: 'mother_baby', list_price: 4590 });
  await must(s, 'PUT', '/v1/stock/mid/BOTTLE', { on_hand: 10_000, safety_stock: 0 });
  for (let i = 0; i < 6; i++) {
    const p = {
      phone: `1392${String(process.pid % 10_000).padStart(4, '0')}${String(i).padStart(3, '0')}`,
      card: `MC-R-${process.pid}-${i}`,
    };
    const ids = i < 3 ? [{ type: 'phone', value: p.phone }] : [{ type: 'member_card', value: p.card }];
    people.push({ id: (await identify({ identifiers: ids })).customer_id, ...p });
  }
}, 120_000);
afterAll(async () => s?.close());

describe(`the category rollup (seed ${SEED})`, () => {
  it('equals a recomputation, and answers category leaves as the order lines do, after random changes', async () => {
    // built on the empty base at start-up, then kept by syncs
    expect(await syncCategoryRollup(db)).toBe(true);
    // a computed tag read from the rollup, refreshed incrementally (the rollup restricted to the candidates)
    const tagRule = { ordered: { category: 'mother_baby', within_days: 180, count: { gte: 2 } } };
    const tag = await must(s, 'POST', '/v1/tags', { name: 'two baby buys', rule: tagRule });
    // one person's purchases of a category on both sides of 180 days ago, besides the random ones
    for (const daysAgo of [200, 0]) {
      const o = await must(s, 'POST', '/v1/orders', {
        channel: 'pos',
        customer: { id: people[1].id },
        lines: [{ sku: 'BOTTLE', qty: 1 }],
        fulfillment: { type: 'in_store', location_id: 'mid' },
      });
      const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      await sql`UPDATE orders SET placed_at = ${at}::timestamptz, updated_at = now() WHERE id = ${o.id as string}`.execute(
        db,
      );
    }
    let cut = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 4 + Math.floor(rand() * 6); i++) await pick(ops)();
      expect(await syncCategoryRollup(db)).toBe(true);
      expect(await rollupRows(), `round ${round}`).toEqual(await recomputed());
      const asOf = new Date();
      // incremental unless a product moved this round (then full: fullTriggers)
      await refreshSegment(db, tag.id, { asOf, changeLagMs: 0 });
      expect(await storedOf(tag.id)).toEqual(await selected(tagRule, false, asOf));
      for (const rule of RULES)
        expect(await selected(rule, true, asOf), `${JSON.stringify(rule)} round ${round}`).toEqual(
          await selected(rule, false, asOf),
        );
      // rows a window of 180 days cuts through (read from the orders in the window)
      const since = new Date(asOf.getTime() - 180 * 86_400_000);
      cut += (await rollupRows()).filter((r) => new Date(r.first_at) <= since && new Date(r.last_at) > since).length;
    }
    expect(cut).toBeGreaterThan(0);
    // a round without a product change: an incremental refresh
    await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { id: people[2].id },
      lines: [{ sku: 'BOTTLE', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    let candidates: number | null = null;
    const asOf = new Date();
    await refreshSegment(db, tag.id, { asOf, changeLagMs: 0, onCandidates: (c) => (candidates = c) });
    expect(candidates).not.toBeNull();
    expect(await storedOf(tag.id)).toEqual(await selected(tagRule, false, asOf));
    // and a rebuild from scratch gives the same rows
    await rebuildCategoryRollup(db);
    expect(await rollupRows()).toEqual(await recomputed());
  }, 300_000);

  it('keeps no row of an erased person', async () => {
    const who = (
      await identify({
        identifiers: [{ type: 'phone', value: `1392${String(process.pid % 10_000).padStart(4, '0')}999` }],
      })
    ).customer_id as string;
    await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { id: who },
      lines: [{ sku: 'BOTTLE', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    await syncCategoryRollup(db);
    const rowsOf = async () =>
      (await sql`SELECT 1 FROM segment_category_rollup WHERE customer_id = ${who}`.execute(db)).rows.length;
    expect(await rowsOf()).toBeGreaterThan(0);
    await must(s, 'DELETE', `/v1/customers/${who}`, undefined, [202]);
    await syncCategoryRollup(db);
    expect(await rowsOf()).toBe(0);
  });
});
