import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../demo/rng';
import type { DB } from '../../platform/db/schema';
import { TEST_DB } from '../../../test/db';
import { startSecondProcess } from '../../../test/second-process';
import { startTestServer, type TestServer } from '../../../test/server';
import { nightlyRfm } from '../audiences/rfm-nightly';
import { nightlyClv } from './nightly';
import { clvSummaries } from './score';
import { bgnbdCustomer, spendSampler } from './simulate';

let s: TestServer;
let db: Kysely<DB>;

const END = '2026-11-30';
const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;

/** [placed_at with its offset, total fen, status?, refunded?] */
type Order = [string, number, string?, number?];
/*
 * Hand-checked people (calibration end 2026-11-30 inclusive, Asia/Shanghai; weeks = days / 7):
 * - clv_a: 06-01 07:00 and 20:00 local are one day (05-31 and 06-01 in UTC), 06-15 00:30 local
 *   (06-14 UTC), 07-13 (a 3000 refund of 5000) → days 06-01, 06-15, 07-13: x 2, t_x 42 d = 6 wk,
 *   T 182 d = 26 wk; m̄ = (3000 + 2000) / 2 fen = 25 yuan.
 * - clv_loyal: every Monday 09-07 … 11-23 (12 days) → x 11, t_x 77 d = 11 wk, T 84 d = 12 wk.
 * - clv_lapsed: every Monday 01-05 … 02-23 (8 days) → x 7, t_x 49 d = 7 wk, T 329 d = 47 wk.
 * - clv_d with merged clv_d2: 10-01 (both: one day), 11-30 23:00 local (in), 12-01 00:30 local
 *   (after the end: out) → under clv_d, x 1, t_x 60 d, T 60 d; m̄ = 40 yuan.
 * - clv_one: one sale 11-01, a cancelled and an expired order → x 0, t_x 0, T 29 d.
 * - clv_erased, clv_anon: never scored. clv_future: only bought after the end: not scored.
 */
const PEOPLE: { id: string; root?: string; kind?: string; erased?: boolean; orders: Order[] }[] = [
  {
    id: 'clv_a',
    orders: [
      ['2026-06-01T07:00:00+08:00', 1000],
      ['2026-06-01T20:00:00+08:00', 500],
      ['2026-06-15T00:30:00+08:00', 3000, 'completed'],
      ['2026-07-13T12:00:00+08:00', 5000, 'paid', 3000],
    ],
  },
  {
    id: 'clv_loyal',
    orders: Array.from({ length: 12 }, (_, i): Order => [
      new Date(Date.parse('2026-09-07T04:00:00Z') + i * 7 * DAY).toISOString(),
      8000,
    ]),
  },
  {
    id: 'clv_lapsed',
    orders: Array.from({ length: 8 }, (_, i): Order => [
      new Date(Date.parse('2026-01-05T04:00:00Z') + i * 7 * DAY).toISOString(),
      8000,
    ]),
  },
  { id: 'clv_d', orders: [['2026-10-01T10:00:00+08:00', 2000]] },
  {
    id: 'clv_d2',
    root: 'clv_d',
    orders: [
      ['2026-10-01T15:00:00+08:00', 2500],
      ['2026-11-30T23:00:00+08:00', 4000],
      ['2026-12-01T00:30:00+08:00', 9000],
    ],
  },
  {
    id: 'clv_one',
    orders: [
      ['2026-11-01T12:00:00+08:00', 6000, 'completed'],
      ['2026-11-10T12:00:00+08:00', 6000, 'cancelled'],
      ['2026-11-12T12:00:00+08:00', 6000, 'expired'],
    ],
  },
  { id: 'clv_erased', erased: true, orders: [['2026-11-01T12:00:00+08:00', 6000]] },
  { id: 'clv_anon', kind: 'anonymous', orders: [['2026-11-01T12:00:00+08:00', 6000]] },
  { id: 'clv_future', orders: [['2026-12-02T12:00:00+08:00', 6000]] },
];

/** A population drawn from BG/NBD and Gamma-Gamma (weekly rates, yuan amounts), so the fit has data. */
function population(n: number): typeof PEOPLE {
  const rng = new Rng(13);
  const end = Date.parse('2026-11-30T12:00:00+08:00');
  return Array.from({ length: n }, (_, i) => {
    const firstWeeksAgo = rng.int(1, 52);
    const { times } = bgnbdCustomer(rng, { r: 0.6, alpha: 4, a: 0.7, b: 2.5 }, firstWeeksAgo);
    const spend = spendSampler(rng, { p: 6, q: 4, v: 15 });
    const first = end - firstWeeksAgo * 7 * DAY;
    const orders = [0, ...times].map((w): Order => [
      new Date(first + w * 7 * DAY).toISOString(),
      Math.round(spend() * 100) + 1,
    ]);
    return { id: `clv_s${String(i).padStart(3, '0')}`, orders };
  });
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  db = s.santong.ctx.database.db;
  const people = [...PEOPLE, ...population(150)];
  for (const p of people)
    await sql`INSERT INTO customers (id, traits, kind, root_id, merged_into, erased_at)
      VALUES (${p.id}, '{}', ${p.kind ?? 'known'}, ${p.root ?? null}, ${p.root ?? null}, ${p.erased ? new Date() : null})`.execute(
      db,
    );
  const rows = people.flatMap((p) =>
    p.orders.map(([at, total, status = 'paid', refunded = 0], n) => {
      const placed = new Date(at);
      const paid = status === 'expired' ? null : placed;
      return sql`(${`${p.id}_o${n}`}, 'app', ${p.id}, 'delivery', ${status}, ${total}, ${total}, ${refunded}, ${placed}, ${paid})`;
    }),
  );
  for (let i = 0; i < rows.length; i += 200)
    await sql`INSERT INTO orders (id, channel, customer_id, fulfillment_type, status, subtotal, total, refunded_total, placed_at, paid_at)
      VALUES ${sql.join(rows.slice(i, i + 200))}`.execute(db);
});
afterAll(async () => s?.close());

async function finished(path: string, id: string) {
  for (let i = 0; i < 400; i++) {
    const r = await s.api('GET', `${path}/${id}`);
    if (r.body.status !== 'running') return r.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path}/${id} did not finish`);
}

/** Starts a run and waits until it is no longer running. */
async function run(body: Record<string, unknown>, key?: string) {
  const started = await s.api('POST', '/v1/clv/runs', body, { key });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.body.status).toBe('running');
  return finished('/v1/clv/runs', started.body.id);
}

type Score = {
  customer_id: string;
  frequency: number;
  recency: number;
  T: number;
  p_alive: number;
  expected_orders: number;
  expected_avg_value: number;
  expected_value: number;
};

async function allScores(limit = 7): Promise<Score[]> {
  const items: Score[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: any } = await s.api(
      'GET',
      `/v1/clv/customers?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return items;
}

const size = async (rule: unknown) => {
  const r = await s.api('POST', '/v1/segments/preview', { rule });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.size as number;
};

describe('the CLV summary', () => {
  it('is computed in SQL as the literature defines it, in the retailer time zone, under roots', async () => {
    const rows = await clvSummaries(db, END, TZ);
    const by = new Map(rows.map((r) => [r.customer_id, r]));
    expect(by.get('clv_a')).toEqual({ customer_id: 'clv_a', frequency: 2, recency: 6, T: 26, monetary: 25 });
    expect(by.get('clv_loyal')).toEqual({ customer_id: 'clv_loyal', frequency: 11, recency: 11, T: 12, monetary: 80 });
    expect(by.get('clv_lapsed')).toEqual({ customer_id: 'clv_lapsed', frequency: 7, recency: 7, T: 47, monetary: 80 });
    expect(by.get('clv_d')).toEqual({ customer_id: 'clv_d', frequency: 1, recency: 60 / 7, T: 60 / 7, monetary: 40 });
    expect(by.get('clv_one')).toEqual({ customer_id: 'clv_one', frequency: 0, recency: 0, T: 29 / 7, monetary: 0 });
    for (const id of ['clv_d2', 'clv_erased', 'clv_anon', 'clv_future']) expect(by.has(id), id).toBe(false);
    expect(rows).toHaveLength(5 + 150);
  });
});

describe('CLV runs', () => {
  it('matches nobody with a clv rule before any run is done', async () => {
    expect(await size({ clv: { p_alive: { lte: 1 } } })).toBe(0);
  });

  it('fits both models over HTTP and scores every customer', async () => {
    const done = await run({ calibration_end: END, horizon_days: 365 });
    expect(done).toMatchObject({
      status: 'done',
      calibration_end: END,
      horizon_days: 365,
      customers: 155,
      time_unit: 'week',
      error: null,
    });
    expect(done.finished_at).not.toBeNull();
    for (const v of [...Object.values(done.bgnbd), ...Object.values(done.gamma_gamma)])
      expect(Number.isFinite(v)).toBe(true);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(done.bgnbd[k]).toBeGreaterThan(0);
    expect(done.bgnbd.log_likelihood).toBeLessThan(0);
    // drawn from v = 15 yuan, p = 6, q = 4: the population mean vp/(q − 1) is near 30 yuan, not 3,000
    expect((done.gamma_gamma.v * done.gamma_gamma.p) / (done.gamma_gamma.q - 1)).toBeGreaterThan(10);
    expect((done.gamma_gamma.v * done.gamma_gamma.p) / (done.gamma_gamma.q - 1)).toBeLessThan(100);

    const scores = await allScores();
    expect(scores).toHaveLength(155);
    const by = new Map(scores.map((i) => [i.customer_id, i]));
    expect(by.get('clv_a')).toMatchObject({ frequency: 2, recency: 6, T: 26 });
    expect(by.get('clv_d')).toMatchObject({ frequency: 1 });
    expect(by.get('clv_d')!.T).toBeCloseTo(60 / 7, 12);
    expect(by.get('clv_one')).toMatchObject({ frequency: 0, recency: 0, p_alive: 1 });
    for (const c of scores) {
      expect(c.p_alive).toBeGreaterThan(0);
      expect(c.p_alive).toBeLessThanOrEqual(1);
      expect(c.expected_orders).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(c.expected_avg_value) && Number.isInteger(c.expected_value)).toBe(true);
      // both rounded to whole fen: the product differs by at most half a fen per expected order
      expect(Math.abs(c.expected_value - c.expected_orders * c.expected_avg_value)).toBeLessThanOrEqual(
        c.expected_orders / 2 + 1,
      );
    }
    const loyal = by.get('clv_loyal')!;
    const lapsed = by.get('clv_lapsed')!;
    expect(loyal.expected_orders).toBeGreaterThan(lapsed.expected_orders);
    expect(loyal.p_alive).toBeGreaterThan(lapsed.p_alive);
    expect(loyal.expected_value).toBeGreaterThan(lapsed.expected_value);
  });

  it('pages by expected value, highest first, ties by customer id; and streams CSV', async () => {
    const scores = await allScores(7);
    const sorted = [...scores].sort(
      (x, y) => y.expected_value - x.expected_value || (x.customer_id < y.customer_id ? -1 : 1),
    );
    expect(scores.map((c) => c.customer_id)).toEqual(sorted.map((c) => c.customer_id));
    expect(new Set(scores.map((c) => c.customer_id)).size).toBe(scores.length);
    expect((await allScores(200)).map((c) => c.customer_id)).toEqual(sorted.map((c) => c.customer_id));
    expect((await s.api('GET', '/v1/clv/customers?cursor=bogus')).body.error.field).toBe('cursor');

    const csv = await s.api('GET', '/v1/clv/customers', undefined, { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toBe('customer_id,frequency,recency,T,p_alive,expected_orders,expected_avg_value,expected_value');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(sorted.map((c) => c.customer_id));
    const logged = await db.selectFrom('audit_log').select('action').where('action', '=', 'clv.export').execute();
    expect(logged).toHaveLength(1);
  });

  it('evaluates the clv rule leaf from the latest run, numerically', async () => {
    const scores = await allScores(200);
    const count = (f: (c: Score) => boolean) => scores.filter(f).length;
    const median = [...scores].map((c) => c.p_alive).sort((x, y) => x - y)[Math.floor(scores.length / 2)];
    const cases: [unknown, number][] = [
      [{ clv: { p_alive: { lt: 0.3 } } }, count((c) => c.p_alive < 0.3)],
      [{ clv: { p_alive: { lt: median } } }, count((c) => c.p_alive < median)],
      [
        { clv: { p_alive: { gte: 0.5 }, expected_orders: { gt: 1.5 } } },
        count((c) => c.p_alive >= 0.5 && c.expected_orders > 1.5),
      ],
      [{ clv: { expected_value: { gte: 10000 } } }, count((c) => c.expected_value >= 10000)],
      // everyone else, and clv_future: a customer without a score
      [{ not: { clv: { p_alive: { lt: 0.3 } } } }, count((c) => !(c.p_alive < 0.3)) + 1],
    ];
    for (const [rule, n] of cases) expect(await size(rule), JSON.stringify(rule)).toBe(n);
    // the fixture spreads p_alive: the cases are not vacuous
    expect(count((c) => c.p_alive < median)).toBeGreaterThan(10);
    expect(count((c) => c.p_alive === 1)).toBeGreaterThan(10);
    // a merged member's scores are its root's; the root is counted once
    expect(await size({ all: [{ clv: { p_alive: { lte: 1 } } }, { trait: { name: 'x', exists: false } }] })).toBe(155);
    const bad = await s.api('POST', '/v1/segments/preview', { rule: { all: [{ clv: { p_alive: { lt: 'x' } } }] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('rule.all[0].clv.p_alive.lt');
    const unknown = await s.api('POST', '/v1/segments/preview', { rule: { clv: { churn: { lt: 1 } } } });
    expect(unknown.body.error.field).toBe('rule.clv.churn');
  });

  it("shows the person's CLV and churn risk on the profile, under the root for a merged member", async () => {
    const scores = await allScores(200);
    const { customer_id: _d, ...d } = scores.find((c) => c.customer_id === 'clv_d')!;
    const profile = async (id: string) => (await s.api('GET', `/v1/customers/${id}`)).body.clv;
    const section = await profile('clv_d2');
    expect(section).toMatchObject({ ...d, calibration_end: END, horizon_days: 365 });
    expect(section.churn_risk).toBeCloseTo(1 - d.p_alive, 12);
    expect(await profile('clv_anon')).toBeNull();
  });

  it("drops an erased person's scores", async () => {
    expect((await s.api('DELETE', '/v1/customers/clv_one')).status).toBe(202);
    expect((await allScores(200)).map((c) => c.customer_id)).not.toContain('clv_one');
  });

  it('records a run with nothing to fit as failed, with the reason; the latest done run stays', async () => {
    const before = (await s.api('GET', '/v1/clv/customers?limit=1')).body.run_id;
    const failed = await run({ calibration_end: '2025-12-01' });
    expect(failed).toMatchObject({ status: 'failed', bgnbd: null, gamma_gamma: null, customers: null });
    expect(failed.error).toMatch(/nothing to fit/);
    expect((await s.api('GET', '/v1/clv/customers?limit=1')).body.run_id).toBe(before);
  });

  it('refuses dates that do not exist or are in the future (422) and bad shapes (400), naming the field', async () => {
    for (const [body, status, field] of [
      [{ calibration_end: '2026-02-30' }, 422, 'calibration_end'],
      [{ calibration_end: '2999-01-01' }, 422, 'calibration_end'],
      [{ calibration_end: 'yesterday' }, 400, 'calibration_end'],
      [{ horizon_days: 0 }, 400, 'horizon_days'],
      [{ horizon_days: 1.5 }, 400, 'horizon_days'],
    ] as const) {
      const r = await s.api('POST', '/v1/clv/runs', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.field).toBe(field);
    }
    expect((await s.api('GET', '/v1/clv/runs/clv_nope')).status).toBe(404);
  });

  it('lets admin, marketer and analyst run and read; other roles get 403', async () => {
    const analyst = await s.keyFor('analyst');
    const marketer = await s.keyFor('marketer');
    const support = await s.keyFor('support');
    expect((await run({ calibration_end: END, horizon_days: 30 }, analyst)).status).toBe('done');
    expect((await s.api('GET', '/v1/clv/customers', undefined, { key: marketer })).status).toBe(200);
    for (const key of [support]) {
      expect((await s.api('POST', '/v1/clv/runs', {}, { key })).status).toBe(403);
      expect((await s.api('GET', '/v1/clv/customers', undefined, { key })).status).toBe(403);
    }
    expect((await s.api('PUT', '/v1/clv/schedule', { hour: 4 }, { key: analyst })).status).toBe(403);
    // a 30-day horizon expects fewer orders than 365 days did
    const short = await allScores(200);
    expect(short.find((c) => c.customer_id === 'clv_loyal')!.expected_orders).toBeLessThan((12 * 30) / 84 + 1);
  });
});

describe('nightly runs', () => {
  const ctx = () => s.santong.ctx;
  // 10:00 in Shanghai on 2026-12-01, and the next day
  const today = new Date('2026-12-01T02:00:00Z');
  const tomorrow = new Date('2026-12-02T02:00:00Z');
  const runs = async (table: 'rfm_runs' | 'clv_runs') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('are on by default at 02:00 (RFM) and 03:00 (CLV), configurable, and off with null', async () => {
    expect((await s.api('GET', '/v1/rfm/schedule')).body).toEqual({ hour: 2 });
    expect((await s.api('GET', '/v1/clv/schedule')).body).toEqual({ hour: 3 });
    expect((await s.api('PUT', '/v1/clv/schedule', { hour: 24 })).body.error.field).toBe('hour');
    expect((await s.api('PUT', '/v1/clv/schedule', { hour: 11 })).body).toEqual({ hour: 11 });
    expect(await nightlyClv(ctx(), today)).toBeNull(); // 10:00 < 11:00: not due yet
    expect((await s.api('PUT', '/v1/clv/schedule', { hour: null })).body).toEqual({ hour: null });
    expect(await nightlyClv(ctx(), tomorrow)).toBeNull(); // off
    expect((await s.api('GET', '/v1/clv/schedule')).body).toEqual({ hour: null });
    expect((await s.api('PUT', '/v1/clv/schedule', { hour: 3 })).status).toBe(200);
  });

  it('run once per local day when two calls race, calibrated up to yesterday', async () => {
    for (const [table, nightly, path] of [
      ['rfm_runs', nightlyRfm, '/v1/rfm/runs'],
      ['clv_runs', nightlyClv, '/v1/clv/runs'],
    ] as const) {
      const before = await runs(table);
      const ids = await Promise.all([nightly(ctx(), today), nightly(ctx(), today)]);
      expect(
        ids.filter((id) => id !== null),
        table,
      ).toHaveLength(1);
      expect(await nightly(ctx(), today)).toBeNull();
      expect(await runs(table)).toBe(before + 1);
      const done = await finished(
        path,
        ids.find((id) => id !== null)!,
      );
      expect(done.status).toBe('done');
      if (table === 'clv_runs') expect(done).toMatchObject({ calibration_end: END, horizon_days: 365 });
      else expect(done.as_of).toBe(today.toISOString());
      const next = await nightly(ctx(), tomorrow);
      expect(next).not.toBeNull();
      await finished(path, next!);
      expect(await runs(table)).toBe(before + 2);
    }
  });
});

describe('nightly runs across processes', () => {
  it.skipIf(TEST_DB !== 'postgres')('run once when a second server process is due too', async () => {
    const count = async (table: 'rfm_runs' | 'clv_runs') =>
      (await db.selectFrom(table).select(['id', 'started_at']).orderBy('started_at', 'desc').execute()).length;
    await db.deleteFrom('settings').where('key', 'like', 'schedule.%.last_day').execute();
    for (const kind of ['rfm', 'clv'])
      expect((await s.api('PUT', `/v1/${kind}/schedule`, { hour: 0 })).status).toBe(200);
    const before = { rfm: await count('rfm_runs'), clv: await count('clv_runs') };
    const second = await startSecondProcess(s, { SANTONG_NIGHTLY_RUNS: '1', SANTONG_DISPATCH_INTERVAL_MS: '50' });
    try {
      // the second process's dispatcher finds both due at once and claims today
      for (
        let i = 0;
        i < 600 && ((await count('rfm_runs')) === before.rfm || (await count('clv_runs')) === before.clv);
        i++
      )
        await new Promise((resolve) => setTimeout(resolve, 50));
      const now = new Date();
      expect(await nightlyRfm(s.santong.ctx, now)).toBeNull();
      expect(await nightlyClv(s.santong.ctx, now)).toBeNull();
      const latest = await db
        .selectFrom('clv_runs')
        .select('id')
        .orderBy('started_at', 'desc')
        .executeTakeFirstOrThrow();
      expect((await finished('/v1/clv/runs', latest.id)).status).toBe('done');
      expect(await count('rfm_runs')).toBe(before.rfm + 1);
      expect(await count('clv_runs')).toBe(before.clv + 1);
    } finally {
      await second.stop();
    }
  });
});

describe('the demo', () => {
  it('has a finished CLV run shown on profiles', async () => {
    const demo = await startTestServer({ startDispatcher: false, demo: true });
    try {
      const page = await demo.api('GET', '/v1/clv/customers?limit=3');
      expect(page.status).toBe(200);
      const run = await demo.api('GET', `/v1/clv/runs/${page.body.run_id}`);
      expect(run.body).toMatchObject({ status: 'done', time_unit: 'week' });
      expect(run.body.customers).toBeGreaterThan(100);
      const top = page.body.items[0];
      expect(top.expected_value).toBeGreaterThan(0);
      const profile = await demo.api('GET', `/v1/customers/${top.customer_id}`);
      expect(profile.body.clv).toMatchObject({ run_id: page.body.run_id, expected_value: top.expected_value });
    } finally {
      await demo.close();
    }
  });
});
