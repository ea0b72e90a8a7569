import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../../test/fixtures/goods';
import { insertCustomer, insertOrder, insertReturn } from '../../../test/fixtures/order-history';
import { startTestServer, type TestServer } from '../../../test/server';
import { transact } from '../../platform/db/transaction';
import type { PublishedEvent } from '../../platform/events/outbox';
import { customerRoots } from '../customers/public';
import { NOT_SALE_STATUSES, orderFacts, orderLineFacts, returnLineFacts } from '../orders/public';
import { applyOrderEvents, rebuildSalesRollups } from './rollup';
import { rng } from '../../../test/fixtures/random';

/**
 * Property test of the customers and cohorts figures from the derived tables (migration 2980):
 * random sales over three months (dates the API cannot set: written as the orders module stores
 * them), returns and late cancellations, applied as their events in random batches (some side by
 * side); then the tables equal a rebuild, and the reports of random ranges equal the definitions
 * computed here from the raw orders, person by person.
 */
const TZ = 'Asia/Shanghai';
const SEED = Number(process.env.ANALYTICS_SEED ?? 20261205);
let s: TestServer;
const db = () => s.santong.ctx.database.db;

const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const DAY = 86400_000;
const dayOf = (base: string, n: number) =>
  new Date(Date.parse(`${base}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

let eventId = 0;
const event = (type: string, orderId: string, payload: Record<string, unknown>): PublishedEvent => ({
  id: String(++eventId),
  occurredAt: new Date(),
  aggregateType: 'order',
  aggregateId: orderId,
  type,
  payload: { order_id: orderId, ...payload },
});

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_TIMEZONE: TZ } });
  const people = Array.from({ length: 12 }, (_, i) => `pd-c${i + 1}`);
  for (const id of people) await insertCustomer(db(), id, '2024-12-01T00:00:00Z', 'app');
  await insertCustomer(db(), 'pd-c1b', '2024-12-02T00:00:00Z', 'pos', 'pd-c1'); // merged into pd-c1
  const events: PublishedEvent[] = [];
  for (let i = 0; i < 90; i++) {
    const id = `pd-o${i}`;
    const pos = rand() < 0.4;
    const day = dayOf('2025-01-01', int(90));
    const at = `${day}T0${int(10)}:${10 + int(49)}:00Z`; // 08:00–17:59 in Shanghai: the same day
    const price = 500 + int(4500);
    const qty = 1 + int(3);
    const customer = rand() < 0.1 ? null : rand() < 0.1 ? 'pd-c1b' : people[int(rand() < 0.5 ? 4 : 12)];
    await insertOrder(db(), {
      id,
      channel: pos ? 'pos' : (['app', 'web', 'mini_program'] as const)[int(3)],
      type: pos ? 'in_store' : 'pickup',
      location: 'near',
      status: pos ? 'completed' : 'paid',
      customer,
      at,
      lines: [{ sku: 'MILK', qty, price, ...(rand() < 0.3 ? { coupon: 100 } : {}) }],
    });
    events.push(pos ? event('order.placed', id, { status: 'completed', channel: 'pos' }) : event('order.paid', id, {}));
    const r = rand();
    if (r < 0.25) {
      const returnId = `pd-r${i}`;
      await insertReturn(db(), returnId, id, `${dayOf(day, int(20))}T04:00:00Z`, 'MILK', 1, price - 100);
      events.push(event('order.returned', id, { return_id: returnId }));
    } else if (!pos && r < 0.4) {
      await sql`UPDATE orders SET status = 'cancelled' WHERE id = ${id}`.execute(db());
      events.push(event('order.cancelled', id, { previous_status: 'paid' }));
    }
  }
  // Random batches in event order, two at a time side by side now and then.
  for (let i = 0; i < events.length;) {
    const a = events.slice(i, (i += 1 + int(8)));
    const b = rand() < 0.3 ? events.slice(i, (i += 1 + int(8))) : [];
    await Promise.all(
      [a, b]
        .filter((x) => x.length > 0)
        .map((batch) => transact(s.santong.ctx.database, (tx) => applyOrderEvents(tx, TZ, batch))),
    );
  }
});
afterAll(async () => s?.close());

async function snapshot(): Promise<Record<string, string[]>> {
  const rows = async (t: string, order: string) =>
    (await sql.raw(`SELECT * FROM ${t} ORDER BY ${order}`).execute(db())).rows.map((r) =>
      JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)),
    );
  return {
    steps: await rows('analytics_customer_steps', 'kind, day, back_day'),
    day_sums: await rows('analytics_customer_day_sums', 'day'),
    cohort_days: await rows('analytics_cohort_days', 'period, first_day, day'),
    cross_days: await rows('analytics_customer_cross_days', 'kind, day, before_day, after_day'),
  };
}

/** Every identified sale (orders 1) and return (orders 0) from the raw orders, by person. */
interface Activity {
  root: string;
  day: string;
  store: boolean;
  orders: number;
  paid: number;
  net: number;
}

async function activity(): Promise<Activity[]> {
  const rows = await sql<{ root: string; day: string; store: boolean; orders: number; paid: string; net: string }>`
    WITH sale AS (SELECT o.*, coalesce(c.root, o.customer_id) AS root FROM ${orderFacts} o
                  LEFT JOIN ${customerRoots} c ON c.id = o.customer_id
                  WHERE o.status NOT IN (${sql.join([...NOT_SALE_STATUSES])}) AND o.customer_id IS NOT NULL)
    SELECT o.root, ((o.placed_at AT TIME ZONE ${TZ})::date)::text AS day, o.channel = 'pos' AS store, 1 AS orders,
           (SELECT sum(amount) FROM ${orderLineFacts} l WHERE l.order_id = o.id)::text AS paid,
           (SELECT sum(amount) FROM ${orderLineFacts} l WHERE l.order_id = o.id)::text AS net
    FROM sale o
    UNION ALL
    SELECT o.root, ((r.created_at AT TIME ZONE ${TZ})::date)::text, o.channel = 'pos', 0, '0', (-r.amount)::text
    FROM sale o JOIN ${returnLineFacts} r ON r.order_id = o.id`.execute(db());
  return rows.rows.map((r) => ({ ...r, orders: Number(r.orders), paid: Number(r.paid), net: Number(r.net) }));
}

function periodOf(day: string, by: 'day' | 'week' | 'month'): string {
  if (by === 'day') return day;
  if (by === 'month') return day.slice(0, 7);
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
}

const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10000) / 10000 : 0);
const group = (xs: { orders: number; net: number; paid: number }[]) => {
  const orders = xs.reduce((t, x) => t + x.orders, 0);
  const paid = xs.reduce((t, x) => t + x.paid, 0);
  return {
    customers: xs.length,
    net_sales: xs.reduce((t, x) => t + x.net, 0),
    orders,
    aov: orders ? Math.round(paid / orders) : 0,
  };
};

/** The customer figures of these activities (already limited to a period of the range), by definition. */
function figures(acts: Activity[], firsts: Map<string, string>, isNew: (first: string) => boolean) {
  const people = new Map<string, { orders: number; net: number; paid: number; online: boolean; store: boolean }>();
  for (const a of acts) {
    const p = people.get(a.root) ?? { orders: 0, net: 0, paid: 0, online: false, store: false };
    p.orders += a.orders;
    p.net += a.net;
    p.paid += a.paid;
    if (a.orders > 0) p[a.store ? 'store' : 'online'] = true;
    people.set(a.root, p);
  }
  const buyers = [...people].filter(([, p]) => p.orders > 0);
  const fresh = buyers.filter(([root]) => isNew(firsts.get(root)!)).length;
  return {
    buyers: buyers.length,
    new: fresh,
    returning: buyers.length - fresh,
    repurchase_rate: rate(buyers.filter(([, p]) => p.orders >= 2).length, buyers.length),
    cross_channel: group(buyers.filter(([, p]) => p.online && p.store).map(([, p]) => p)),
    single_channel: group(buyers.filter(([, p]) => !(p.online && p.store)).map(([, p]) => p)),
  };
}

function randomRange(): { from: string; to: string } {
  const a = dayOf('2024-12-25', int(110));
  return { from: a, to: dayOf(a, int(100)) };
}

describe('customers and cohorts from the derived tables (property test, seed in ANALYTICS_SEED)', () => {
  it('maintained incrementally from random batches, the derived tables equal a rebuild', async () => {
    const incremental = await snapshot();
    expect(incremental.steps.length).toBeGreaterThan(0);
    expect(incremental.cohort_days.length).toBeGreaterThan(0);
    expect(incremental.cross_days.some((r) => r.includes('"sandwich"'))).toBe(true);
    await rebuildSalesRollups(s.santong.ctx.database, TZ);
    expect(await snapshot()).toEqual(incremental);
  });

  it('the customers report of random ranges equals the definitions computed from the raw orders', async () => {
    const acts = await activity();
    const firsts = new Map<string, string>();
    for (const a of acts)
      if (a.orders > 0 && (!firsts.has(a.root) || a.day < firsts.get(a.root)!)) firsts.set(a.root, a.day);
    let seenRepeat = false;
    let seenCross = false;
    for (let i = 0; i < 24; i++) {
      const { from, to } = randomRange();
      const by = (['day', 'week', 'month'] as const)[i % 3];
      const r = await must(s, 'GET', `/v1/analytics/customers?from=${from}&to=${to}&group_by=${by}`);
      const inRange = acts.filter((a) => a.day >= from && a.day <= to);
      const isNew = (f: string) => f >= from && f <= to;
      const { members_recruited: _, ...totals } = r.totals;
      const want = figures(inRange, firsts, isNew);
      expect(totals, `${from}..${to} totals`).toEqual(want);
      seenRepeat ||= want.repurchase_rate > 0 && want.returning > 0;
      seenCross ||= want.cross_channel.customers > 0 && want.single_channel.net_sales !== 0;
      for (const row of r.rows as (typeof want & { key: string; members_recruited: number })[]) {
        const { key, members_recruited: _m, ...got } = row;
        const mine = inRange.filter((a) => periodOf(a.day, by) === key);
        expect(got, `${from}..${to} by ${by}: ${key}`).toEqual(
          figures(mine, firsts, (f) => isNew(f) && periodOf(f, by) === key),
        );
      }
    }
    expect(seenRepeat && seenCross).toBe(true);
  });

  it('the cohorts of random ranges equal the definitions computed from the raw orders', async () => {
    const acts = await activity();
    const firsts = new Map<string, string>();
    for (const a of acts)
      if (a.orders > 0 && (!firsts.has(a.root) || a.day < firsts.get(a.root)!)) firsts.set(a.root, a.day);
    for (let i = 0; i < 12; i++) {
      const { from, to } = randomRange();
      const period = i % 2 ? 'week' : 'month';
      const r = await must(s, 'GET', `/v1/analytics/cohorts?from=${from}&to=${to}&period=${period}`);
      const members = [...firsts].filter(([, f]) => f >= from && f <= to);
      const cohorts = [...new Set(members.map(([, f]) => periodOf(f, period)))].sort();
      expect(r.cohorts.map((c: { cohort: string }) => c.cohort)).toEqual(cohorts);
      for (const c of r.cohorts as { cohort: string; customers: number; periods: unknown[] }[]) {
        const mine = new Map(members.filter(([, f]) => periodOf(f, period) === c.cohort));
        expect(c.customers).toBe(mine.size);
        for (const p of c.periods as { index: number; active: number; retention: number; net_sales: number }[]) {
          const key = periodKeyAt(c.cohort, p.index, period);
          const there = acts.filter(
            (a) => mine.has(a.root) && a.day <= to && a.day >= mine.get(a.root)! && periodOf(a.day, period) === key,
          );
          const active = new Set(there.filter((a) => a.orders > 0).map((a) => a.root)).size;
          expect(p, `${from}..${to} ${c.cohort} +${p.index}`).toEqual({
            index: p.index,
            active,
            retention: rate(active, mine.size),
            net_sales: there.reduce((t, a) => t + a.net, 0),
          });
        }
      }
    }
  });
});

/** The key of the period `index` periods after `cohort`. */
function periodKeyAt(cohort: string, index: number, period: 'week' | 'month'): string {
  if (period === 'week') return dayOf(cohort, 7 * index);
  const [y, m] = cohort.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + index, 1));
  return d.toISOString().slice(0, 7);
}
