import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../platform/db/schema';
import { startTestServer, type TestServer } from '../../../test/server';

let s: TestServer;
let db: Kysely<DB>;

const AS_OF = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const ago = (days: number) => new Date(AS_OF - days * DAY);

/** id, root (merged into), kind, erased, and its orders: [days before as_of, total, status, refunded]. */
type Order = [number, number, string?, number?];
const PEOPLE: { id: string; root?: string; kind?: string; erased?: boolean; orders: Order[] }[] = [
  {
    id: 'rfm_a',
    orders: [
      [1, 10000],
      [-1, 5000],
    ],
  }, // the second is after as_of
  {
    id: 'rfm_b',
    orders: [
      [10, 5000],
      [40, 5000, 'in_fulfilment'],
      [100, 5000],
      [3, 9000, 'expired'],
    ],
  },
  {
    id: 'rfm_c',
    orders: [
      [5.5, 20000, 'completed', 5000],
      [200, 30000],
    ],
  }, // a refund
  { id: 'rfm_d', orders: [[30, 8000]] },
  { id: 'rfm_d2', root: 'rfm_d', orders: [[20, 2000]] }, // merged into d: counts for d
  {
    id: 'rfm_e',
    orders: [
      [300, 1000],
      [2, 99999, 'cancelled'],
      [1, 5000, 'pending_payment'],
    ],
  },
  {
    id: 'rfm_f',
    orders: [
      [400, 4000],
      [60, 7000],
    ],
  }, // the first is outside the window
  { id: 'rfm_g', orders: [[500, 6000, 'completed']] }, // only outside the window
  { id: 'rfm_h', erased: true, orders: [[3, 5000]] },
  { id: 'rfm_i', kind: 'anonymous', orders: [[3, 5000]] },
  {
    id: 'rfm_j',
    orders: [
      [2, 2500],
      [3, 2500],
      [4, 2500],
      [50, 2500],
    ],
  },
  {
    id: 'rfm_k',
    orders: [
      [0, 3000],
      [365, 3000],
    ],
  }, // exactly as_of (in), exactly as_of − 365 days (out)
];

/*
 * By hand, window 365 days: n = 8, bins by rank 1..8 = max(1, ceil(5(rank−1)/7)) = 1 1 2 3 3 4 5 5.
 * recency ↑ k0 a1 j2 c5 b10 d20 f60 e300 → R = 6 − bin: k5 a5 j4 c3 b3 d2 f1 e1
 * frequency ↑ a1 e1 f1 k1 c2 d2 b3 j4 → F: a1 e1 f2 k3 c3 d4 b5 j5
 * monetary ↑ e1000 k3000 f7000 a10000 d10000 j10000 b15000 c45000 → M: e1 k1 f2 a3 d3 j4 b5 c5
 *
 * Lifecycle: mean gap (last − first sale) / (sales − 1) of people with repeat sales in the window:
 * b 90/2 = 45, c 194.5, d (with d2) 10, j 48/3 = 16 → median G = 30.5; lapsed beyond 3·G = 91.5 days
 * (e), at_risk beyond 1.5·G = 45.75 (f), else loyal with ≥ 4 sales (j), new with one (a, k), active
 * otherwise (b, c, d).
 */
const EXPECTED = [
  ['rfm_a', 1, 1, 10000, '513', 'promising', 'new'],
  ['rfm_b', 10, 3, 15000, '355', 'loyal', 'active'],
  ['rfm_c', 5, 2, 45000, '335', 'loyal', 'active'],
  ['rfm_d', 20, 2, 10000, '243', 'at_risk', 'active'],
  ['rfm_e', 300, 1, 1000, '111', 'lost', 'lapsed'],
  ['rfm_f', 60, 1, 7000, '122', 'hibernating', 'at_risk'],
  ['rfm_j', 2, 4, 10000, '454', 'champions', 'loyal'],
  ['rfm_k', 0, 1, 3000, '531', 'potential_loyalist', 'new'],
].map(([customer_id, recency_days, frequency, monetary, rfm, segment, lifecycle]) => ({
  customer_id,
  recency_days,
  frequency,
  monetary,
  r: Number(String(rfm)[0]),
  f: Number(String(rfm)[1]),
  m: Number(String(rfm)[2]),
  rfm,
  segment,
  lifecycle,
}));

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  db = s.santong.ctx.database.db;
  for (const p of PEOPLE) {
    await sql`INSERT INTO customers (id, traits, kind, root_id, merged_into, erased_at)
      VALUES (${p.id}, '{}', ${p.kind ?? 'known'}, ${p.root ?? null}, ${p.root ?? null}, ${p.erased ? new Date() : null})`.execute(
      db,
    );
    for (const [n, [days, total, status = 'paid', refunded = 0]] of p.orders.entries()) {
      const paid = status === 'pending_payment' || status === 'expired' ? null : ago(days);
      await sql`INSERT INTO orders (id, channel, customer_id, fulfillment_type, status, subtotal, total, refunded_total, placed_at, paid_at)
        VALUES (${`${p.id}_o${n}`}, 'app', ${p.id}, 'delivery', ${status}, ${total}, ${total}, ${refunded}, ${ago(days)}, ${paid})`.execute(
        db,
      );
    }
  }
});
afterAll(async () => s?.close());

/** Starts a run and waits until it is no longer running. */
async function run(body: Record<string, unknown>, key?: string) {
  const started = await s.api('POST', '/v1/rfm/runs', body, { key });
  expect(started.status).toBe(202);
  expect(started.body.status).toBe('running');
  for (let i = 0; i < 200; i++) {
    const r = await s.api('GET', `/v1/rfm/runs/${started.body.id}`);
    if (r.body.status !== 'running') return r.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('RFM run did not finish');
}

async function allScores(query = '', limit = 3) {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: any } = await s.api(
      'GET',
      `/v1/rfm/customers?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return items;
}

describe('RFM runs', () => {
  it('scores the hand-computed fixture exactly (window 365 days)', async () => {
    const done = await run({ as_of: '2026-12-01T08:00:00+08:00', window_days: 365 });
    expect(done).toMatchObject({
      status: 'done',
      customers: 8,
      as_of: '2026-12-01T00:00:00.000Z',
      window_days: 365,
      typical_gap_days: 30.5,
      at_risk_gaps: 1.5,
      lapsed_gaps: 3,
      loyal_orders: 4,
    });
    expect(done.finished_at).not.toBeNull();
    expect(await allScores()).toEqual(EXPECTED);
  });

  it('sums customers and revenue per segment of the latest run', async () => {
    const r = await s.api('GET', '/v1/rfm/segments');
    expect(r.status).toBe(200);
    expect(r.body.as_of).toBe('2026-12-01T00:00:00.000Z');
    const by = Object.fromEntries(r.body.items.map((i: any) => [i.segment, [i.customers, i.revenue]]));
    expect(by).toEqual({
      champions: [1, 10000],
      loyal: [2, 60000],
      potential_loyalist: [1, 3000],
      new_customers: [0, 0],
      promising: [1, 10000],
      need_attention: [0, 0],
      about_to_sleep: [0, 0],
      at_risk: [1, 10000],
      cannot_lose_them: [0, 0],
      hibernating: [1, 7000],
      lost: [1, 1000],
    });
  });

  it('sums customers and revenue in each of the 25 R × F cells of the latest run', async () => {
    const r = await s.api('GET', '/v1/rfm/grid');
    expect(r.status).toBe(200);
    expect(r.body.as_of).toBe('2026-12-01T00:00:00.000Z');
    expect(r.body.cells).toHaveLength(25);
    // R from 5 down, F from 1 up: the order a heat map is drawn in
    expect(r.body.cells.slice(0, 6).map((c: any) => `${c.r}${c.f}`)).toEqual(['51', '52', '53', '54', '55', '41']);
    const filled = Object.fromEntries(
      r.body.cells.filter((c: any) => c.customers > 0).map((c: any) => [`${c.r}${c.f}`, [c.customers, c.revenue]]),
    );
    // from EXPECTED: a 513, b 355, c 335, d 243, e 111, f 122, j 454, k 531
    expect(filled).toEqual({
      51: [1, 10000],
      53: [1, 3000],
      45: [1, 10000],
      35: [1, 15000],
      33: [1, 45000],
      24: [1, 10000],
      11: [1, 1000],
      12: [1, 7000],
    });
    expect(r.body.cells.filter((c: any) => c.customers === 0).every((c: any) => c.revenue === 0)).toBe(true);
  });

  it('filters by segment and pages by customer id', async () => {
    expect((await allScores('&segment=loyal', 1)).map((i) => i.customer_id)).toEqual(['rfm_b', 'rfm_c']);
    const first = await s.api('GET', '/v1/rfm/customers?limit=5');
    expect(first.body.items.map((i: any) => i.customer_id)).toEqual(['rfm_a', 'rfm_b', 'rfm_c', 'rfm_d', 'rfm_e']);
    const second = await s.api('GET', `/v1/rfm/customers?limit=5&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((i: any) => i.customer_id)).toEqual(['rfm_f', 'rfm_j', 'rfm_k']);
    expect(second.body.next_cursor).toBeNull();
    expect((await s.api('GET', '/v1/rfm/customers?cursor=bogus')).body.error.field).toBe('cursor');
  });

  it('streams the scores as CSV with Accept: text/csv, and records the export', async () => {
    const csv = await s.api('GET', '/v1/rfm/customers?segment=loyal&limit=1', undefined, {
      headers: { accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.body).toBe(
      'customer_id,recency_days,frequency,monetary,r,f,m,rfm,segment,lifecycle\n' +
        'rfm_b,10,3,15000,3,5,5,355,loyal,active\nrfm_c,5,2,45000,3,3,5,335,loyal,active\n',
    );
    const all = await s.api('GET', '/v1/rfm/customers', undefined, { headers: { accept: 'text/csv' } });
    expect(all.body.trim().split('\n')).toHaveLength(1 + EXPECTED.length);
    const logged = await db.selectFrom('audit_log').select('details').where('action', '=', 'rfm.export').execute();
    expect(logged.map((l) => (l.details as { segment: string | null }).segment)).toEqual(['loyal', null]);
  });

  it('takes all history with window_days null, and the newest done run is the one read', async () => {
    const done = await run({ as_of: '2026-12-01T00:00:00Z', window_days: null });
    expect(done).toMatchObject({ status: 'done', customers: 9, window_days: null });
    const scores = await allScores('', 50);
    expect(scores.map((i) => i.customer_id)).toEqual([
      'rfm_a',
      'rfm_b',
      'rfm_c',
      'rfm_d',
      'rfm_e',
      'rfm_f',
      'rfm_g',
      'rfm_j',
      'rfm_k',
    ]);
    const of = (id: string) => scores.find((i) => i.customer_id === id);
    expect(of('rfm_f')).toMatchObject({ recency_days: 60, frequency: 2, monetary: 11000 });
    expect(of('rfm_g')).toMatchObject({ recency_days: 500, frequency: 1, monetary: 6000 });
    expect(of('rfm_k')).toMatchObject({ recency_days: 0, frequency: 2, monetary: 6000 });
    expect((await s.api('GET', '/v1/rfm/segments')).body.run_id).toBe(done.id);
  });

  it("shows the latest run's scores on the person's profile, under the root for a merged member", async () => {
    const scores = await allScores('', 50);
    const profile = async (id: string) => (await s.api('GET', `/v1/customers/${id}`)).body.rfm;
    const { customer_id: _j, ...j } = scores.find((i) => i.customer_id === 'rfm_j')!;
    expect(await profile('rfm_j')).toMatchObject(j);
    const { customer_id: _d, ...d } = scores.find((i) => i.customer_id === 'rfm_d')!;
    expect(await profile('rfm_d2')).toMatchObject(d);
    expect(await profile('rfm_i')).toBeNull();
  });

  it("drops an erased person's scores", async () => {
    expect((await s.api('DELETE', '/v1/customers/rfm_g')).status).toBe(202);
    expect((await allScores('', 50)).map((i) => i.customer_id)).not.toContain('rfm_g');
  });

  it('takes lifecycle thresholds per run', async () => {
    const done = await run({
      as_of: '2026-12-01T00:00:00Z',
      lifecycle: { at_risk_gaps: 0.5, lapsed_gaps: 1, loyal_orders: 3 },
    });
    expect(done).toMatchObject({ typical_gap_days: 30.5, at_risk_gaps: 0.5, lapsed_gaps: 1, loyal_orders: 3 });
    // lapsed beyond 30.5 days, at_risk beyond 15.25, loyal from 3 sales
    const stages = Object.fromEntries((await allScores('', 50)).map((i) => [i.customer_id, i.lifecycle]));
    expect(stages).toEqual({
      rfm_a: 'new',
      rfm_b: 'loyal',
      rfm_c: 'active',
      rfm_d: 'at_risk',
      rfm_e: 'lapsed',
      rfm_f: 'lapsed',
      rfm_j: 'loyal',
      rfm_k: 'new',
    });
  });

  it('refuses a bad as_of (422) or window_days (400) naming the field, and an unknown run with 404', async () => {
    for (const [body, field] of [
      [{ as_of: 'yesterday' }, 'as_of'],
      [{ as_of: '2026-12-01' }, 'as_of'],
      [{ as_of: '2026-13-45T00:00:00Z' }, 'as_of'],
      [{ lifecycle: { at_risk_gaps: 2, lapsed_gaps: 2 } }, 'lifecycle.lapsed_gaps'],
    ] as const) {
      const r = await s.api('POST', '/v1/rfm/runs', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.error.field).toBe(field);
    }
    // Out-of-range numbers are schema errors, as on every route: 400 naming the field.
    for (const window_days of [0, 100_000]) {
      const r = await s.api('POST', '/v1/rfm/runs', { window_days });
      expect(r.status, String(window_days)).toBe(400);
      expect(r.body.error.field).toBe('window_days');
    }
    expect((await s.api('GET', '/v1/rfm/runs/rfm_nope')).status).toBe(404);
  });

  it('lets admin and marketer start runs; analyst reads only; other roles get 403', async () => {
    const marketer = await s.keyFor('marketer');
    const analyst = await s.keyFor('analyst');
    const support = await s.keyFor('support');
    expect((await run({ window_days: 30 }, marketer)).status).toBe('done');
    expect((await s.api('POST', '/v1/rfm/runs', {}, { key: analyst })).status).toBe(403);
    expect((await s.api('GET', '/v1/rfm/segments', undefined, { key: analyst })).status).toBe(200);
    expect((await s.api('GET', '/v1/rfm/customers', undefined, { key: analyst })).status).toBe(200);
    for (const path of ['/v1/rfm/segments', '/v1/rfm/customers'])
      expect((await s.api('GET', path, undefined, { key: support })).status).toBe(403);
    expect((await s.api('POST', '/v1/rfm/runs', {}, { key: support })).status).toBe(403);
  });
});

describe('the demo', () => {
  it('has a finished RFM run whose segments add up to its customers', async () => {
    const demo = await startTestServer({ startDispatcher: false, demo: true });
    try {
      const seg = await demo.api('GET', '/v1/rfm/segments');
      expect(seg.status).toBe(200);
      const run = await demo.api('GET', `/v1/rfm/runs/${seg.body.run_id}`);
      expect(run.body).toMatchObject({ status: 'done', window_days: 365 });
      expect(run.body.customers).toBeGreaterThan(100);
      const total = seg.body.items.reduce((n: number, i: { customers: number }) => n + i.customers, 0);
      expect(total).toBe(run.body.customers);
    } finally {
      await demo.close();
    }
  });
});
