import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../platform/db/schema';
import { startTestServer, type TestServer } from '../../../test/server';
import { leadTimeDemand } from './public';

let s: TestServer;
let db: Kysely<DB>;

/**
 * 8 weeks of sales up to 2026-11-30 (Asia/Shanghai): FC-1 sells 4 a day at loc_a and 2 at loc_b
 * (steady), FC-2 sells 5 every Monday at loc_a (intermittent). Not counted: a cancelled order, an
 * order on 12-01 local (after the history end), an order at 23:30 local on 11-30 counts for 11-30.
 */
const DAYS = 56;
const END = '2026-11-30';

beforeAll(async () => {
  s = await startTestServer();
  db = s.santong.ctx.database.db;
  const orders: ReturnType<typeof sql>[] = [];
  const lines: ReturnType<typeof sql>[] = [];
  const add = (id: string, loc: string, at: string, status: string, sku: string, qty: number) => {
    orders.push(
      sql`(${id}, 'pos', ${loc}, 'in_store', ${status}, 100, 100, ${new Date(at)}, ${status === 'cancelled' ? null : new Date(at)})`,
    );
    lines.push(sql`(${id}, 1, ${sku}, ${qty}, 100, 100)`);
  };
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(Date.UTC(2026, 10, 30 - (DAYS - 1) + d)).toISOString().slice(0, 10);
    add(`fc_a${d}`, 'loc_a', `${day}T10:00:00+08:00`, 'completed', 'FC-1', 4);
    add(`fc_b${d}`, 'loc_b', `${day}T${d === DAYS - 1 ? '23:30' : '11:00'}:00+08:00`, 'completed', 'FC-1', 2);
    if (new Date(`${day}T00:00:00Z`).getUTCDay() === 1)
      add(`fc_m${d}`, 'loc_a', `${day}T12:00:00+08:00`, 'paid', 'FC-2', 5);
  }
  add('fc_cancel', 'loc_a', '2026-11-20T10:00:00+08:00', 'cancelled', 'FC-1', 100);
  add('fc_late', 'loc_a', '2026-12-01T00:30:00+08:00', 'completed', 'FC-1', 100);
  await sql`INSERT INTO orders (id, channel, location_id, fulfillment_type, status, subtotal, total, placed_at, paid_at)
    VALUES ${sql.join(orders)}`.execute(db);
  await sql`INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price, amount) VALUES ${sql.join(lines)}`.execute(
    db,
  );
});
afterAll(async () => s?.close());

async function finished(id: string) {
  for (let i = 0; i < 600; i++) {
    const r = await s.api('GET', `/v1/forecasts/runs/${id}`);
    if (r.body.status !== 'running') return r.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`forecast run ${id} did not finish`);
}

describe('forecast runs over the API', () => {
  it('fits on the sales history, multiplies in calendar events and reconciles stores to the chain', async () => {
    expect((await s.api('GET', '/v1/forecasts?sku=FC-1&location_id=loc_a')).status).toBe(404);
    const ev = await s.api(
      'POST',
      '/v1/forecast-events',
      { name: '双12 预热', kind: 'campaign', starts_on: '2026-12-03', ends_on: '2026-12-03', uplift: 2, sku: 'FC-1' },
      { headers: { 'idempotency-key': 'fc-ev-1' } },
    );
    expect(ev.status).toBe(201);
    expect(ev.body).toMatchObject({ name: '双12 预热', uplift: 2, sku: 'FC-1', location_id: null });

    const started = await s.api('POST', '/v1/forecasts/runs', { history_end: END, horizon_days: 14 });
    expect(started.status).toBe(202);
    const run = await finished(started.body.id);
    // FC-1 at loc_a, loc_b and its chain total; FC-2 at loc_a and its chain total
    expect(run).toMatchObject({ status: 'done', history_end: END, horizon_days: 14, series: 5 });

    const a = (await s.api('GET', '/v1/forecasts?sku=FC-1&location_id=loc_a')).body;
    expect(a).toMatchObject({ sku: 'FC-1', location_id: 'loc_a', model: 'ets', history_end: END });
    expect(a.history).toHaveLength(DAYS);
    expect(a.history.at(-1)).toEqual({ day: END, units: 4 });
    expect(a.history.every((h: { units: number }) => h.units === 4)).toBe(true);
    expect(a.forecast).toHaveLength(14);
    expect(a.forecast[0].day).toBe('2026-12-01');
    expect(a.forecast[0].mean).toBeCloseTo(4, 6);
    expect(a.forecast[2]).toMatchObject({ day: '2026-12-03' });
    expect(a.forecast[2].mean).toBeCloseTo(8, 6);
    for (const f of a.forecast) expect(f.lo <= f.mean && f.mean <= f.hi).toBe(true);

    const b = (await s.api('GET', '/v1/forecasts?sku=FC-1&location_id=loc_b')).body;
    expect(b.history.at(-1)).toEqual({ day: END, units: 2 });
    const chain = (await s.api('GET', '/v1/forecasts?sku=FC-1')).body;
    expect(chain.location_id).toBeNull();
    for (let h = 0; h < 14; h++) expect(a.forecast[h].mean + b.forecast[h].mean).toBeCloseTo(chain.forecast[h].mean, 9);
    expect(chain.forecast[0].mean).toBeCloseTo(6, 6);

    const slow = (await s.api('GET', '/v1/forecasts?sku=FC-2&location_id=loc_a')).body;
    expect(slow.history[0].units).toBe(5); // the series starts at its first sale, a Monday
    const week = slow.forecast.slice(0, 7).reduce((t: number, f: { mean: number }) => t + f.mean, 0);
    expect(week).toBeGreaterThan(3.5);
    expect(week).toBeLessThan(6.5);

    // the supply side's view: a week at loc_a = 6 ordinary days of 4 and the event day of 8
    const lead = await leadTimeDemand(db, { locationId: 'loc_a', days: 7, skus: ['FC-1'] });
    expect(lead.get('FC-1')!.mean).toBeCloseTo(32, 4);
  });

  it('store staff see their own store; bad input is 4xx naming the field', async () => {
    const store = { name: '乙店', type: 'store', lat: 31.2, lng: 121.4 };
    const loc = await s.api('POST', '/v1/locations', {
      id: 'loc_b',
      ...store,
      capabilities: { ship: false, pickup: true, local_delivery_km: 0 },
    });
    expect(loc.status).toBe(201);
    const staff = await s.keyFor('store_staff', { location_id: 'loc_b' });
    const own = await s.api('GET', '/v1/forecasts?sku=FC-1&location_id=loc_a', undefined, { key: staff });
    expect(own.status).toBe(200);
    expect(own.body.location_id).toBe('loc_b');
    expect((await s.api('POST', '/v1/forecasts/runs', {}, { key: staff })).status).toBe(403);

    const future = await s.api('POST', '/v1/forecasts/runs', { history_end: '2999-01-01' });
    expect(future.status).toBe(422);
    expect(future.body.error.field).toBe('history_end');
    const backwards = await s.api('POST', '/v1/forecast-events', {
      name: 'x',
      kind: 'holiday',
      starts_on: '2026-06-18',
      ends_on: '2026-06-16',
      uplift: 2,
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.field).toBe('ends_on');
    expect((await s.api('GET', '/v1/forecasts?sku=FC-1&colour=red')).status).toBe(400);
  });

  it('lists and deletes calendar events', async () => {
    const list = await s.api('GET', '/v1/forecast-events?from=2026-12-01&to=2026-12-31');
    expect(list.body.items.map((e: { name: string }) => e.name)).toEqual(['双12 预热']);
    const id = list.body.items[0].id;
    expect((await s.api('DELETE', `/v1/forecast-events/${id}`)).status).toBe(204);
    expect((await s.api('DELETE', `/v1/forecast-events/${id}`)).status).toBe(404);
    expect((await s.api('GET', '/v1/forecast-events')).body.items).toEqual([]);
  });
});
