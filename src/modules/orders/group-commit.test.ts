/**
 * Group commit: orders queued together are written in one transaction, and one that fails there
 * (coupon already redeemed by another order of the batch, stock gone) fails alone while the
 * others commit, with nothing half-written; a batch that loses a deadlock is written again, order
 * by order, and nobody gets a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startTestServer, type ApiResponse, type TestServer } from '../../../test/server';
import { orderWriter } from './group-commit';

let s: TestServer;
const DAY = 86_400_000;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const writer = () => orderWriter(s.santong.ctx);
const pickup = (sku: string, extra: Record<string, unknown> = {}) => ({
  channel: 'app',
  lines: [{ sku, qty: 1 }],
  fulfillment: { type: 'pickup', location_id: 'near' },
  ...extra,
});

/** Sends the orders while the writer is paused, waits until all of them queued, then lets one transaction write them. */
async function asOneBatch(bodies: unknown[]): Promise<ApiResponse[]> {
  const resume = writer().pause();
  const before = { ...writer().stats };
  const sent = Promise.all(bodies.map((b) => s.api('POST', '/v1/orders', b)));
  const deadline = Date.now() + 30_000;
  while (writer().queued < bodies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(writer().queued).toBe(bodies.length);
  resume();
  const results = await sent;
  // One transaction wrote them all: no order was written alone, the batch was not split.
  expect(writer().stats).toMatchObject({
    batches: before.batches + 1,
    batchedItems: before.batchedItems + bodies.length,
    alone: before.alone,
    split: before.split,
  });
  return results;
}

async function consistent(sku: string) {
  const rows = await db()
    .selectFrom('stock')
    .select(['location_id', 'on_hand', 'reserved'])
    .where('sku', '=', sku)
    .execute();
  const active = await db()
    .selectFrom('stock_reservations')
    .select(['location_id', 'qty'])
    .where('sku', '=', sku)
    .where('status', '=', 'active')
    .execute();
  for (const r of rows)
    expect(r.reserved).toBe(active.filter((a) => a.location_id === r.location_id).reduce((t, a) => t + a.qty, 0));
}

describe('group commit', () => {
  it('fails only the order whose coupon another order of the batch redeemed; the others commit', async () => {
    await must(s, 'POST', '/v1/products', { sku: 'GC-1', name: 'GC-1', category: 'snacks', list_price: 6000 });
    await must(s, 'PUT', '/v1/stock/near/GC-1', { on_hand: 20, safety_stock: 0 });
    const customer = (
      await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: '13800000901' }], channel: 'app' })
    ).customer_id;
    const tpl = await must(s, 'POST', '/v1/coupon-templates', {
      name: '满50减10',
      kind: 'threshold',
      value: 1000,
      min_spend: 5000,
      channels: ['online', 'store'],
      valid_from: new Date(Date.now() - DAY).toISOString(),
      valid_to: new Date(Date.now() + 30 * DAY).toISOString(),
      budget: 100,
      per_customer_limit: 10,
      stackable: true,
    });
    const code = (await must(s, 'POST', '/v1/coupons/issue', { template_id: tpl.id, customer: { id: customer } })).code;
    const withCoupon = pickup('GC-1', { customer: { id: customer }, coupon_codes: [code] });
    const bodies = [pickup('GC-1'), withCoupon, pickup('GC-1'), withCoupon, pickup('GC-1')];
    const r = await asOneBatch(bodies);

    expect(r.map((x) => x.status).sort()).toEqual([201, 201, 201, 201, 409]);
    const lost = r.find((x) => x.status === 409)!;
    expect(lost.body.error).toMatchObject({ code: 'coupon_already_redeemed', field: 'coupon_codes[0]' });
    const winner = r.filter((x, i) => x.status === 201 && bodies[i] === withCoupon);
    expect(winner).toHaveLength(1);
    expect(winner[0].body.totals.coupon_discount).toBe(1000);
    // The coupon went to the winner, and only the four orders that succeeded exist.
    const coupon = await db()
      .selectFrom('coupons')
      .select(['status', 'order_ref'])
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    expect(coupon).toEqual({ status: 'redeemed', order_ref: winner[0].body.id });
    const orders = await db().selectFrom('order_lines').select('order_id').where('sku', '=', 'GC-1').execute();
    expect(orders.map((o) => o.order_id).sort()).toEqual(
      r
        .filter((x) => x.status === 201)
        .map((x) => x.body.id)
        .sort(),
    );
    expect(await stockAt(s, 'GC-1', 'near')).toMatchObject({ on_hand: 20, reserved: 4 });
    await consistent('GC-1');
  });

  it('writes the orders of a batch whose stock row ran short one by one: the stock goes to some, the rest get 409', async () => {
    await must(s, 'POST', '/v1/products', { sku: 'GC-2', name: 'GC-2', category: 'snacks', list_price: 500 });
    await must(s, 'PUT', '/v1/stock/near/GC-2', { on_hand: 8, safety_stock: 0 });
    await must(s, 'PUT', '/v1/stock/near/CHIPS', { on_hand: 100, safety_stock: 0 });
    // Routed while 8 units were there; 5 of them go before the batch is written.
    const bodies = [...Array.from({ length: 6 }, () => pickup('GC-2')), pickup('CHIPS'), pickup('CHIPS')];
    const resume = writer().pause();
    const sent = Promise.all(bodies.map((b) => s.api('POST', '/v1/orders', b)));
    while (writer().queued < bodies.length) await new Promise((r) => setTimeout(r, 10));
    await must(s, 'POST', '/v1/stock/movements', { location_id: 'near', sku: 'GC-2', delta: -5, reason: 'damage' });
    const before = { ...writer().stats };
    resume();
    const r = await sent;
    expect(writer().stats.split).toBeGreaterThan(before.split);
    // Only the orders on the short row were written alone; the CHIPS orders stayed a batch.
    expect(writer().stats.alone - before.alone).toBe(6);
    expect(
      r
        .filter((x, i) => bodies[i].lines[0].sku === 'GC-2')
        .map((x) => x.status)
        .sort(),
    ).toEqual([201, 201, 201, 409, 409, 409]);
    expect(r.filter((x, i) => bodies[i].lines[0].sku === 'CHIPS').map((x) => x.status)).toEqual([201, 201]);
    expect(r.filter((x) => x.status === 409).every((x) => x.body.error.code === 'insufficient_stock')).toBe(true);
    expect(await stockAt(s, 'GC-2', 'near')).toMatchObject({ on_hand: 3, reserved: 3, online_available: 0 });
    const orders = await db().selectFrom('order_lines').select('order_id').where('sku', '=', 'GC-2').execute();
    expect(orders).toHaveLength(3);
    await consistent('GC-2');
    await consistent('CHIPS');
  });

  it.skipIf(TEST_DB !== 'postgres')(
    'writes a batch that was chosen as a deadlock victim again, order by order: all are placed',
    async () => {
      await must(s, 'POST', '/v1/products', { sku: 'GC-3', name: 'GC-3', category: 'snacks', list_price: 5000 });
      await must(s, 'PUT', '/v1/stock/near/GC-3', { on_hand: 20, safety_stock: 0 });
      const customer = (
        await must(s, 'POST', '/v1/identify', {
          identifiers: [{ type: 'phone', value: '13800000902' }],
          channel: 'app',
        })
      ).customer_id;
      await must(s, 'POST', '/v1/points/adjust', { customer: { id: customer }, points: 1000, reason: 'test' });
      const bodies = [
        pickup('GC-3', { customer: { id: customer }, points: 100 }),
        pickup('GC-3'),
        pickup('GC-3', { customer: { id: customer }, points: 100 }),
      ];
      // Another transaction takes the lock order backwards: the stock row first, then the person.
      const other = await s.santong.ctx.database.pool.connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT 1 FROM stock WHERE location_id = 'near' AND sku = 'GC-3' FOR UPDATE`);
        const resume = writer().pause();
        const before = { ...writer().stats };
        const sent = Promise.all(bodies.map((b) => s.api('POST', '/v1/orders', b)));
        while (writer().queued < bodies.length) await new Promise((r) => setTimeout(r, 10));
        resume();
        // The batch holds the person and waits for the stock row; now close the cycle.
        const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        while ((await other.query<{ n: number }>(waiting)).rows[0].n === 0) await new Promise((r) => setTimeout(r, 20));
        await other.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`points:${customer}`]);
        await other.query('COMMIT');
        const r = await sent;
        expect(r.map((x) => x.status)).toEqual([201, 201, 201]);
        expect(writer().stats.split).toBe(before.split + 1);
        expect(writer().stats.alone - before.alone).toBe(3);
      } finally {
        other.release();
      }
      expect((await must(s, 'GET', `/v1/customers/${customer}/points`)).balance).toBe(800);
      expect(await stockAt(s, 'GC-3', 'near')).toMatchObject({ on_hand: 20, reserved: 3 });
      await consistent('GC-3');
    },
    30_000,
  );
});
