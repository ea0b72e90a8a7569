/**
 * Placing an order with an Idempotency-Key: the key is not claimed in a statement of its own; the
 * order's write stores it with the answer, and an answer without an order (sold out) is stored
 * after it. The guarantees stay those of every other route: a repeat of a finished request answers
 * the first result, the same key with another body is 409, concurrent repeats create one order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { orderWriter } from './group-commit';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 100, CHIPS: 0 } });
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const writer = () => orderWriter(s.santong.ctx);
const pickup = (sku: string, qty = 1) => ({
  channel: 'app',
  lines: [{ sku, qty }],
  fulfillment: { type: 'pickup', location_id: 'near' },
});
const place = (body: unknown, key: string) =>
  s.api('POST', '/v1/orders', body, { headers: { 'idempotency-key': key } });

async function storedKey(key: string) {
  return db().selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
}

async function ordersOf(ids: string[]) {
  if (!ids.length) return [];
  return db().selectFrom('orders').select(['id', 'status']).where('id', 'in', ids).execute();
}

/** Waits until n orders wait in the paused writer. */
async function queued(n: number) {
  const deadline = Date.now() + 30_000;
  while (writer().queued < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(writer().queued).toBe(n);
}

describe('orders with an Idempotency-Key', () => {
  it('stores the key and the answer with the order; a repeat answers the first result, also after the order changed', async () => {
    const first = await place(pickup('MILK'), 'idem-order-1');
    expect(first.status).toBe(201);
    const row = await storedKey('idem-order-1');
    expect(row).toMatchObject({ status_code: 201, method: 'POST', path: '/v1/orders' });
    expect(row?.completed_at).not.toBeNull();
    expect(JSON.parse(row!.response_body!)).toEqual(first.body);
    await must(s, 'POST', `/v1/orders/${first.body.id}/cancel`, {});
    const again = await place(pickup('MILK'), 'idem-order-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await ordersOf([first.body.id])).toEqual([{ id: first.body.id, status: 'cancelled' }]);
    const other = await place(pickup('MILK', 2), 'idem-order-1');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('answers a repeat of a placed order with that order when the stock has gone since, and a repeat of a sold-out answer with it while stock is there', async () => {
    await must(s, 'PUT', '/v1/stock/near/CHIPS', { on_hand: 1, safety_stock: 0 });
    const first = await place(pickup('CHIPS'), 'idem-last-unit');
    expect(first.status).toBe(201);
    const soldOut = await place(pickup('CHIPS'), 'idem-after-last');
    expect(soldOut.status).toBe(409);
    const again = await place(pickup('CHIPS'), 'idem-last-unit');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    await must(s, 'POST', `/v1/orders/${first.body.id}/cancel`, {});
    const soldOutAgain = await place(pickup('CHIPS'), 'idem-after-last');
    expect(soldOutAgain.status).toBe(409);
    expect(soldOutAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(soldOutAgain.body).toEqual(soldOut.body);
    expect((await stockAt(s, 'CHIPS', 'near')).reserved).toBe(0);
    await must(s, 'PUT', '/v1/stock/near/CHIPS', { on_hand: 0, safety_stock: 0 });
  });

  it('stores a sold-out answer and replays it after stock came back, without placing an order', async () => {
    const first = await place(pickup('CHIPS'), 'idem-sold-out-1');
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe('insufficient_stock');
    expect(await storedKey('idem-sold-out-1')).toMatchObject({ status_code: 409 });
    await must(s, 'PUT', '/v1/stock/near/CHIPS', { on_hand: 5, safety_stock: 0 });
    const again = await place(pickup('CHIPS'), 'idem-sold-out-1');
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await stockAt(s, 'CHIPS', 'near')).reserved).toBe(0);
    // A new key is a new request: it gets the stock.
    expect((await place(pickup('CHIPS'), 'idem-sold-out-2')).status).toBe(201);
  });

  it('refuses a repeat while the first runs (409 in progress, another body 409 reused) and creates one order for concurrent repeats', async () => {
    const before = (await stockAt(s, 'MILK', 'near')).reserved;
    const resume = writer().pause();
    const first = place(pickup('MILK'), 'idem-race-1');
    await queued(1);
    const same = await place(pickup('MILK'), 'idem-race-1');
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe('idempotency_in_progress');
    const other = await place(pickup('MILK', 3), 'idem-race-1');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    resume();
    expect((await first).status).toBe(201);

    const results = await Promise.all(Array.from({ length: 8 }, () => place(pickup('MILK'), 'idem-race-2')));
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('idempotency_in_progress');
    expect((await stockAt(s, 'MILK', 'near')).reserved).toBe(before + 2);
  });

  it('writes no order for a key another server process stored meanwhile; the rest of its batch is placed', async () => {
    const keyOwner = (await storedKey('idem-order-1'))!.api_key_id;
    const before = (await stockAt(s, 'MILK', 'near')).reserved;
    const resume = writer().pause();
    const sent = Promise.all(['idem-other-1', 'idem-other-2', 'idem-other-3'].map((k) => place(pickup('MILK'), k)));
    await queued(3);
    // What a second server process would have done with the same key and request meanwhile.
    await sql`INSERT INTO idempotency_keys (api_key_id, key, method, path, request_hash, status_code, response_body, completed_at)
              VALUES (${keyOwner}, 'idem-other-2', 'POST', '/v1/orders', 'elsewhere', 201, '{"id":"elsewhere"}', now())`.execute(
      db(),
    );
    resume();
    const [a, b, c] = await sent;
    expect([a.status, b.status, c.status]).toEqual([201, 409, 201]);
    // The stored request is another one (its fingerprint differs): this key was reused.
    expect(b.body.error.code).toBe('idempotency_key_reused');
    expect(await ordersOf([a.body.id, c.body.id])).toHaveLength(2);
    expect((await stockAt(s, 'MILK', 'near')).reserved).toBe(before + 2);
    expect(await storedKey('idem-other-2')).toMatchObject({
      request_hash: 'elsewhere',
      response_body: '{"id":"elsewhere"}',
    });
  });
});
