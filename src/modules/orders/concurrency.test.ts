/**
 * Concurrency over HTTP through the real server: a hot SKU under hundreds of simultaneous orders
 * never oversells, also across two server processes on one PostgreSQL; a payment confirmed many
 * times at once has one effect; a cancellation racing a payment (or expiry racing a payment)
 * leaves one consistent outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { delivery, must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startSecondProcess, type Remote } from '../../../test/second-process';
import { startTestServer, type ApiResponse, type TestServer } from '../../../test/server';
import { expireDue } from './lifecycle';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;

/** A fresh SKU with this stock, so the tests do not share rows. */
async function hotSku(sku: string, stock: Record<string, { on_hand: number; safety_stock?: number }>) {
  await must(s, 'POST', '/v1/products', { sku, name: sku, category: 'snacks', list_price: 500 });
  for (const [loc, st] of Object.entries(stock))
    await must(s, 'PUT', `/v1/stock/${loc}/${sku}`, { on_hand: st.on_hand, safety_stock: st.safety_stock ?? 0 });
}

const pickup = (sku: string, location_id: string, qty = 1) => ({
  channel: 'app',
  lines: [{ sku, qty }],
  fulfillment: { type: 'pickup', location_id },
});

function tally(rs: ApiResponse[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status >= 400 ? `${r.status} ${r.body?.error?.code}` : String(r.status);
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

/** Samples the SKU's stock rows until `until` settles; returns every sample that had more reserved than online stock. */
async function watchOversell(sku: string, until: Promise<unknown>) {
  let done = false;
  void until.finally(() => (done = true)).catch(() => undefined);
  const bad: unknown[] = [];
  let samples = 0;
  while (!done) {
    const rows = await db()
      .selectFrom('stock')
      .select(['location_id', 'on_hand', 'reserved', 'safety_stock'])
      .where('sku', '=', sku)
      .execute();
    for (const r of rows) if (r.reserved > r.on_hand - r.safety_stock) bad.push(r);
    samples++;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { bad, samples };
}

/** The database view of one SKU: stock rows, active reservations, and the movements' sum per location. */
async function ledger(sku: string) {
  const [stock, active, moves] = await Promise.all([
    db()
      .selectFrom('stock')
      .select(['location_id', 'on_hand', 'reserved', 'safety_stock'])
      .where('sku', '=', sku)
      .orderBy('location_id')
      .execute(),
    db()
      .selectFrom('stock_reservations')
      .select(['location_id', 'qty'])
      .where('sku', '=', sku)
      .where('status', '=', 'active')
      .execute(),
    db().selectFrom('stock_movements').select(['location_id', 'delta']).where('sku', '=', sku).execute(),
  ]);
  const sum = (rows: { location_id: string }[], v: (r: any) => number) =>
    rows.reduce<Record<string, number>>((m, r) => ({ ...m, [r.location_id]: (m[r.location_id] ?? 0) + v(r) }), {});
  return { stock, activeRows: active.length, activeQty: sum(active, (r) => r.qty), moved: sum(moves, (r) => r.delta) };
}

/** reserved = active reservations and on hand = movements, for every row of the SKU. */
async function expectConsistent(sku: string) {
  const l = await ledger(sku);
  for (const r of l.stock) {
    expect(r.reserved, `${r.location_id}/${sku} reserved vs active reservations`).toBe(l.activeQty[r.location_id] ?? 0);
    expect(r.on_hand, `${r.location_id}/${sku} on hand vs movements`).toBe(l.moved[r.location_id] ?? 0);
  }
  return l;
}

describe('a hot SKU under concurrent orders', () => {
  it('sells exactly the 50 units of a store to 500 simultaneous pickup orders, then pays all 50 at once', async () => {
    await hotSku('HOT-A', { near: { on_hand: 50 } });
    const storm = Promise.all(Array.from({ length: 500 }, () => s.api('POST', '/v1/orders', pickup('HOT-A', 'near'))));
    const [results, watch] = await Promise.all([storm, watchOversell('HOT-A', storm)]);
    const won = results.filter((r) => r.status === 201);
    expect(tally(results)).toEqual({ 201: 50, '409 insufficient_stock': 450 });
    expect(watch.bad).toEqual([]);
    expect(new Set(won.map((r) => r.body.id)).size).toBe(50);
    expect(await stockAt(s, 'HOT-A', 'near')).toMatchObject({ on_hand: 50, reserved: 50, online_available: 0 });
    const l = await expectConsistent('HOT-A');
    expect(l.activeRows).toBe(50);
    // No trace of the losers: only the winners' orders exist.
    const orders = await db().selectFrom('order_lines').select('order_id').where('sku', '=', 'HOT-A').execute();
    expect(orders.map((o) => o.order_id).sort()).toEqual(won.map((r) => r.body.id).sort());

    const paid = await Promise.all(
      won.map((r, i) => s.api('POST', `/v1/orders/${r.body.id}/pay`, { payment_ref: `hot-a-${i}` })),
    );
    expect(tally(paid)).toEqual({ 200: 50 });
    expect(await stockAt(s, 'HOT-A', 'near')).toMatchObject({ on_hand: 0, reserved: 0 });
    const after = await expectConsistent('HOT-A');
    expect(after.activeRows).toBe(0);
    const consumed = await db()
      .selectFrom('stock_reservations')
      .select('id')
      .where('sku', '=', 'HOT-A')
      .where('status', '=', 'consumed')
      .execute();
    expect(consumed).toHaveLength(50);
  }, 120_000);

  it("keeps hour deliveries and pickups competing for two stores within each store's online stock", async () => {
    await hotSku('HOT-M', { near: { on_hand: 40, safety_stock: 5 }, mid: { on_hand: 30 } });
    const bodies = Array.from({ length: 240 }, (_, i) => {
      const qty = 1 + (Math.floor(i / 3) % 3);
      if (i % 3 === 0) return { channel: 'app', lines: [{ sku: 'HOT-M', qty }], fulfillment: delivery('hour') };
      return pickup('HOT-M', i % 3 === 1 ? 'near' : 'mid', qty);
    });
    const storm = Promise.all(bodies.map((b) => s.api('POST', '/v1/orders', b)));
    const [results, watch] = await Promise.all([storm, watchOversell('HOT-M', storm)]);
    const t = tally(results);
    expect(Object.keys(t).sort()).toEqual(['201', '409 insufficient_stock']);
    expect(watch.bad).toEqual([]);
    const l = await expectConsistent('HOT-M');
    const won = results.map((r, i) => ({ r, qty: bodies[i].lines[0].qty })).filter((x) => x.r.status === 201);
    const byStore: Record<string, number> = {};
    for (const { r, qty } of won)
      byStore[r.body.allocations[0].location_id] = (byStore[r.body.allocations[0].location_id] ?? 0) + qty;
    for (const row of l.stock) {
      expect(row.reserved).toBeLessThanOrEqual(row.on_hand - row.safety_stock);
      expect(row.reserved).toBe(byStore[row.location_id] ?? 0);
    }
    expect(won.length).toBeGreaterThan(0);
  }, 120_000);
});

describe('one payment, many confirmations', () => {
  it('applies 50 concurrent confirmations of the same payment once', async () => {
    await hotSku('HOT-P', { mid: { on_hand: 10 } });
    const o = await must(s, 'POST', '/v1/orders', pickup('HOT-P', 'mid', 3));
    const rs = await Promise.all(
      Array.from({ length: 50 }, () => s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'wx-same-ref' })),
    );
    expect(tally(rs)).toEqual({ 200: 50 });
    for (const r of rs) expect(r.body).toMatchObject({ id: o.id, payment_ref: 'wx-same-ref' });
    expect(await stockAt(s, 'HOT-P', 'mid')).toMatchObject({ on_hand: 7, reserved: 0 });
    const sales = await db()
      .selectFrom('stock_movements')
      .select(['delta', 'reason'])
      .where('ref', '=', o.id)
      .execute();
    expect(sales).toEqual([{ delta: -3, reason: 'sale' }]);
    const events = await db()
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', o.id)
      .where('type', '=', 'order.paid')
      .execute();
    expect(events).toHaveLength(1);
    await expectConsistent('HOT-P');
  });

  it('accepts exactly one of 20 concurrent, different payments of one order', async () => {
    await hotSku('HOT-Q', { mid: { on_hand: 10 } });
    const o = await must(s, 'POST', '/v1/orders', pickup('HOT-Q', 'mid', 2));
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: `wx-${i}` })),
    );
    expect(tally(rs)).toEqual({ 200: 1, '409 order_not_payable': 19 });
    const winner = rs.find((r) => r.status === 200)!.body.payment_ref;
    expect((await must(s, 'GET', `/v1/orders/${o.id}`)).payment_ref).toBe(winner);
    expect(await stockAt(s, 'HOT-Q', 'mid')).toMatchObject({ on_hand: 8, reserved: 0 });
    await expectConsistent('HOT-Q');
  });
});

describe('races on one order', () => {
  it('resolves a cancellation racing a payment to one consistent outcome', async () => {
    const N = 30;
    await hotSku('HOT-R', { near: { on_hand: N } });
    const orders = [];
    for (let i = 0; i < N; i++) orders.push(await must(s, 'POST', '/v1/orders', pickup('HOT-R', 'near')));
    const raced = await Promise.all(
      orders.map(async (o, i) => {
        // Alternate which request leaves first, so both orders of arrival happen.
        const pay = () => s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: `race-${i}` });
        const cancel = () => s.api('POST', `/v1/orders/${o.id}/cancel`, { reason: 'race' });
        if (i % 2 === 0) {
          const [p, c] = await Promise.all([pay(), cancel()]);
          return { id: o.id as string, pay: p, cancel: c };
        }
        const [c, p] = await Promise.all([cancel(), pay()]);
        return { id: o.id as string, pay: p, cancel: c };
      }),
    );
    const outcomes: Record<string, number> = {};
    for (const { id, pay, cancel } of raced) {
      const o = await db()
        .selectFrom('orders')
        .select(['status', 'paid_at', 'total', 'refunded_total', 'payment_ref'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const res = await db().selectFrom('stock_reservations').select('status').where('order_id', '=', id).execute();
      const moves = await db()
        .selectFrom('stock_movements')
        .select(['delta', 'reason'])
        .where('ref', '=', id)
        .orderBy('id')
        .execute();
      // Cancellation is allowed before payment and after it (then it refunds), so the order ends
      // cancelled either way; what differs is whether the payment got in first.
      expect(cancel.status, `cancel of ${id}`).toBe(200);
      expect(o.status).toBe('cancelled');
      if (pay.status === 200) {
        outcomes['paid, then cancelled and refunded'] = (outcomes['paid, then cancelled and refunded'] ?? 0) + 1;
        expect(o.paid_at).not.toBeNull();
        expect(o.payment_ref).toBe(pay.body.payment_ref);
        expect(Number(o.refunded_total)).toBe(Number(o.total));
        expect(res.map((r) => r.status)).toEqual(['consumed']);
        expect(moves).toEqual([
          { delta: -1, reason: 'sale' },
          { delta: 1, reason: 'cancel_restock' },
        ]);
      } else {
        outcomes['cancelled before payment'] = (outcomes['cancelled before payment'] ?? 0) + 1;
        expect(pay.status).toBe(409);
        expect(pay.body.error.code).toBe('order_not_payable');
        expect(o.paid_at).toBeNull();
        expect(Number(o.refunded_total)).toBe(0);
        expect(res.map((r) => r.status)).toEqual(['released']);
        expect(moves).toEqual([]);
      }
    }
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(N);
    expect(await stockAt(s, 'HOT-R', 'near')).toMatchObject({ on_hand: N, reserved: 0 });
    await expectConsistent('HOT-R');
  }, 60_000);

  it('resolves expiry racing a payment: each order is either paid or expired, never both', async () => {
    const N = 30;
    await hotSku('HOT-X', { far: { on_hand: N } });
    const future = () => new Date(Date.now() + (s.config.reservationTtlSeconds + 60) * 1000);
    await expireDue(s.santong.ctx, future()); // earlier tests' unpaid orders, so the count below is these orders'
    const orders = [];
    for (let i = 0; i < N; i++) orders.push(await must(s, 'POST', '/v1/orders', pickup('HOT-X', 'far')));
    // Payments arrive newest first, a little apart; expiry starts halfway through and walks the
    // orders oldest first, so the two meet somewhere in the middle.
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const [expired, ...pays] = await Promise.all([
      later((N * 3) / 2).then(() => expireDue(s.santong.ctx, future())),
      ...orders.map((o, i) =>
        later((N - 1 - i) * 3).then(() => s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: `x-${i}` })),
      ),
    ]);
    let paid = 0;
    for (const [i, pay] of pays.entries()) {
      const o = await db()
        .selectFrom('orders')
        .select(['status', 'paid_at'])
        .where('id', '=', orders[i].id)
        .executeTakeFirstOrThrow();
      const res = await db()
        .selectFrom('stock_reservations')
        .select('status')
        .where('order_id', '=', orders[i].id)
        .execute();
      if (pay.status === 200) {
        paid++;
        expect(o.status).toBe('paid');
        expect(res.map((r) => r.status)).toEqual(['consumed']);
      } else {
        expect(pay.status).toBe(409);
        expect(pay.body.error.code).toBe('order_not_payable');
        expect(o).toMatchObject({ status: 'expired', paid_at: null });
        expect(res.map((r) => r.status)).toEqual(['released']);
      }
    }
    expect(expired).toBe(N - paid);
    expect(await stockAt(s, 'HOT-X', 'far')).toMatchObject({ on_hand: N - paid, reserved: 0 });
    await expectConsistent('HOT-X');
  }, 60_000);
});

// ---- two server processes on one PostgreSQL ----------------------------------------------------

describe('two server processes on one PostgreSQL', () => {
  let second: Remote | null = null;
  beforeAll(async () => {
    if (TEST_DB === 'postgres') second = await startSecondProcess(s);
  }, 90_000);
  afterAll(async () => second?.stop());

  it.skipIf(TEST_DB !== 'postgres')(
    'sells exactly 100 units to 600 orders split across both processes, and pays them through both',
    async () => {
      const other = second!;
      await hotSku('HOT-B', { mid: { on_hand: 100 } });
      expect((await other.api('GET', '/v1/stock/HOT-B')).body.totals.on_hand).toBe(100);
      // Warm the second process's order path (a fresh process compiles it on first use).
      await hotSku('WARM', { mid: { on_hand: 100 } });
      await Promise.all(Array.from({ length: 20 }, () => other.api('POST', '/v1/orders', pickup('WARM', 'mid'))));
      const storm = Promise.all(
        Array.from({ length: 600 }, (_, i) =>
          i % 2 === 0
            ? s.api('POST', '/v1/orders', pickup('HOT-B', 'mid'))
            : other.api('POST', '/v1/orders', pickup('HOT-B', 'mid')),
        ),
      );
      const [results, watch] = await Promise.all([storm, watchOversell('HOT-B', storm)]);
      expect(tally(results)).toEqual({ 201: 100, '409 insufficient_stock': 500 });
      expect(watch.bad).toEqual([]);
      const won = results.filter((r) => r.status === 201);
      expect(await stockAt(s, 'HOT-B', 'mid')).toMatchObject({ on_hand: 100, reserved: 100, online_available: 0 });
      const l = await expectConsistent('HOT-B');
      expect(l.activeRows).toBe(100);

      const paid = await Promise.all(
        won.map((r, i) =>
          (i % 2 === 0 ? s : other).api('POST', `/v1/orders/${r.body.id}/pay`, { payment_ref: `hot-b-${i}` }),
        ),
      );
      expect(tally(paid)).toEqual({ 200: 100 });
      expect(await stockAt(s, 'HOT-B', 'mid')).toMatchObject({ on_hand: 0, reserved: 0 });
      await expectConsistent('HOT-B');
    },
    120_000,
  );

  it.skipIf(TEST_DB !== 'postgres')(
    'places one order per Idempotency-Key sent to both processes at once; every other answer is that order or 409 in progress',
    async () => {
      const other = second!;
      await hotSku('HOT-K', { mid: { on_hand: 50 } });
      const keys = ['two-proc-a', 'two-proc-b', 'two-proc-c'];
      const sent = keys.flatMap((key) =>
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? s : other).api('POST', '/v1/orders', pickup('HOT-K', 'mid'), {
            headers: { 'idempotency-key': key },
          }),
        ),
      );
      const results = await Promise.all(sent);
      for (const [k, key] of keys.entries()) {
        const answers = results.slice(k * 12, (k + 1) * 12);
        const ids = new Set(answers.filter((r) => r.status === 201).map((r) => r.body.id));
        expect(ids.size, key).toBe(1);
        for (const r of answers.filter((x) => x.status !== 201))
          expect(r.body.error.code, key).toBe('idempotency_in_progress');
        // Asked again when all is done, each process answers that one order.
        for (const proc of [s, other]) {
          const again = await proc.api('POST', '/v1/orders', pickup('HOT-K', 'mid'), {
            headers: { 'idempotency-key': key },
          });
          expect(again.status).toBe(201);
          expect(again.body.id).toBe([...ids][0]);
        }
      }
      expect(await stockAt(s, 'HOT-K', 'mid')).toMatchObject({ on_hand: 50, reserved: 3 });
      await expectConsistent('HOT-K');
    },
    120_000,
  );

  it.skipIf(TEST_DB !== 'postgres')(
    'keeps concurrent hour deliveries from both processes within the stock of two stores',
    async () => {
      const other = second!;
      await hotSku('HOT-D', { near: { on_hand: 45, safety_stock: 5 }, mid: { on_hand: 35 } });
      const bodies = Array.from({ length: 300 }, (_, i) => ({
        channel: i % 4 === 0 ? 'web' : 'app',
        lines: [{ sku: 'HOT-D', qty: 1 + (i % 3) }],
        fulfillment: delivery('hour'),
      }));
      const storm = Promise.all(bodies.map((b, i) => (i % 2 === 0 ? s : other).api('POST', '/v1/orders', b)));
      const [results, watch] = await Promise.all([storm, watchOversell('HOT-D', storm)]);
      expect(Object.keys(tally(results)).sort()).toEqual(['201', '409 insufficient_stock']);
      expect(watch.bad).toEqual([]);
      const byStore: Record<string, number> = {};
      for (const [i, r] of results.entries())
        if (r.status === 201)
          byStore[r.body.allocations[0].location_id] =
            (byStore[r.body.allocations[0].location_id] ?? 0) + bodies[i].lines[0].qty;
      const l = await expectConsistent('HOT-D');
      for (const row of l.stock) {
        expect(row.reserved).toBeLessThanOrEqual(row.on_hand - row.safety_stock);
        expect(row.reserved).toBe(byStore[row.location_id] ?? 0);
      }
      // Both stores were used: the nearer one first, then the next in range.
      expect(Object.keys(byStore).sort()).toEqual(['mid', 'near']);
    },
    120_000,
  );
});
