import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../platform/db/schema';
import { byteOrder } from '../../platform/db/locks';
import { startTestServer, type TestServer } from '../../../test/server';
import { RFM_SEGMENT_CODES } from './rfm-segments';

/*
 * The scoring statement (integer bins, the segment by array subscript, the scores in a partition of
 * their run) against the README's definitions computed here in TypeScript, on a generated base with
 * many ties: values from small sets, so equal values straddle the bin boundaries and only the
 * customer id (in byte order) decides.
 */

let s: TestServer;
let db: Kysely<DB>;
const AS_OF = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  id: string;
  orders: { days: number; total: number }[];
}

const random = rng(13);
// ids whose byte order differs from a case-insensitive one (upper case sorts first in "C")
const PEOPLE: Person[] = Array.from({ length: 47 }, (_, i) => ({
  id: `rfmq_${i % 3 === 0 ? 'A' : 'b'}${String(i).padStart(2, '0')}`,
  orders: Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
    days: [1, 3, 3, 10, 40, 40, 200][Math.floor(random() * 7)]!,
    total: [1000, 2500, 2500, 5000][Math.floor(random() * 4)]!,
  })),
}));

const SEGMENT_OF = new Map<string, string>();
for (const [segment, codes] of Object.entries(RFM_SEGMENT_CODES))
  for (const code of codes.split(' ')) SEGMENT_OF.set(code, segment);

/** Each person's scores by the definitions: rank ascending by (value, id in byte order), bin max(1, ceil(5(rank−1)/(n−1))). */
function expected() {
  const base = PEOPLE.map((p) => ({
    id: p.id,
    recency: Math.min(...p.orders.map((o) => o.days)),
    frequency: p.orders.length,
    monetary: p.orders.reduce((a, o) => a + o.total, 0),
  }));
  const n = base.length;
  const bins = (value: (b: (typeof base)[number]) => number) => {
    const sorted = [...base].sort((x, y) => value(x) - value(y) || byteOrder(x.id, y.id));
    return new Map(sorted.map((b, i) => [b.id, Math.max(1, Math.ceil((5 * i) / Math.max(n - 1, 1)))]));
  };
  const [r, f, m] = [bins((b) => b.recency), bins((b) => b.frequency), bins((b) => b.monetary)];
  return base.map((b) => {
    const rfm = `${6 - r.get(b.id)!}${f.get(b.id)}${m.get(b.id)}`;
    return {
      customer_id: b.id,
      recency_days: b.recency,
      frequency: b.frequency,
      monetary: b.monetary,
      rfm,
      segment: SEGMENT_OF.get(rfm) ?? 'others',
    };
  });
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  db = s.santong.ctx.database.db;
  for (const p of PEOPLE) {
    await sql`INSERT INTO customers (id, traits, kind) VALUES (${p.id}, '{}', 'known')`.execute(db);
    for (const [n, o] of p.orders.entries()) {
      const at = new Date(AS_OF - o.days * DAY);
      await sql`INSERT INTO orders (id, channel, customer_id, fulfillment_type, status, subtotal, total, refunded_total, placed_at, paid_at)
        VALUES (${`${p.id}_o${n}`}, 'app', ${p.id}, 'delivery', 'paid', ${o.total}, ${o.total}, 0, ${at}, ${at})`.execute(
        db,
      );
    }
  }
});
afterAll(async () => s?.close());

async function run() {
  const started = await s.api('POST', '/v1/rfm/runs', { as_of: new Date(AS_OF).toISOString(), window_days: 365 });
  expect(started.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const r = await s.api('GET', `/v1/rfm/runs/${started.body.id}`);
    if (r.body.status !== 'running') return r.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('RFM run did not finish');
}

async function scores() {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: any } = await s.api(
      'GET',
      `/v1/rfm/customers?limit=20${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(r.status).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return items;
}

describe('RFM scoring against the definitions', () => {
  it('bins, codes and segments every customer of a tied base as the definitions say', async () => {
    const done = await run();
    expect(done).toMatchObject({ status: 'done', customers: PEOPLE.length });
    const got = new Map((await scores()).map((i) => [i.customer_id, i]));
    const want = expected();
    expect(new Set(want.map((w) => w.segment)).size).toBeGreaterThan(3);
    for (const w of want) expect(got.get(w.customer_id)).toMatchObject(w);
  });

  it("keeps only the latest done run's scores, each run in its own partition", async () => {
    const first = await run();
    const second = await run();
    // the superseded partitions are dropped just after the run is marked done (its own transaction)
    const partitions = async () =>
      (
        await sql<{ name: string }>`
          SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'rfm_scores'::regclass`.execute(db)
      ).rows.map((p) => p.name);
    for (let i = 0; i < 100 && (await partitions()).length > 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await partitions()).toEqual([`rfm_scores_${second.id}`]);
    const runs = await sql<{ run_id: string; n: string }>`
      SELECT run_id, count(*)::text AS n FROM rfm_scores GROUP BY run_id`.execute(db);
    expect(runs.rows).toEqual([{ run_id: second.id, n: String(PEOPLE.length) }]);
    expect(first.id).not.toBe(second.id);
  });
});
