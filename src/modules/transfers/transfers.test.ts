/**
 * Transfers (调拨) over HTTP: the state machine and its stock movements, idempotent requests, the
 * source never giving units reserved for online orders or its safety stock, store staff on their
 * own side only, and concurrent shipping from one source (two server processes on PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startSecondProcess, type Remote } from '../../../test/second-process';
import { startTestServer, type ApiResponse, type TestServer } from '../../../test/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { dc1: { MILK: 100, CHIPS: 50 }, near: { MILK: 5 } });
});
afterAll(async () => s?.close());

const request = (from: string, to: string, lines: { sku: string; qty: number }[]) => ({
  from_location_id: from,
  to_location_id: to,
  lines,
});

async function movementsOf(ref: string) {
  const r = await must(s, 'GET', '/v1/stock/movements?limit=200');
  return (r.items as { ref: string; location_id: string; sku: string; delta: number; reason: string }[])
    .filter((m) => m.ref === ref)
    .map((m) => `${m.reason} ${m.location_id} ${m.sku} ${m.delta}`)
    .sort();
}

describe('a transfer', () => {
  it('is requested, shipped (source −, in transit +) and received (destination +), each a stock movement', async () => {
    const t = await must(
      s,
      'POST',
      '/v1/transfers',
      request('dc1', 'near', [
        { sku: 'MILK', qty: 30 },
        { sku: 'CHIPS', qty: 12 },
      ]),
    );
    expect(t).toMatchObject({ status: 'requested', origin: 'manual', from_location_id: 'dc1', to_location_id: 'near' });
    expect(t.lines).toEqual([
      { sku: 'CHIPS', name: 'Chips', qty: 12 },
      { sku: 'MILK', name: 'Milk', qty: 30 },
    ]);
    expect((await stockAt(s, 'MILK', 'dc1')).on_hand).toBe(100);

    const shipped = await must(s, 'POST', `/v1/transfers/${t.id}/ship`);
    expect(shipped.status).toBe('shipped');
    expect(shipped.shipped_at).not.toBeNull();
    expect(await stockAt(s, 'MILK', 'dc1')).toMatchObject({ on_hand: 70 });
    expect(await stockAt(s, 'MILK', 'near')).toMatchObject({ on_hand: 5, in_transit: 30 });
    // a row created for the destination by the shipment
    expect(await stockAt(s, 'CHIPS', 'near')).toMatchObject({ on_hand: 0, in_transit: 12 });
    expect(await movementsOf(t.id)).toEqual(['transfer_out dc1 CHIPS -12', 'transfer_out dc1 MILK -30']);
    const store = await must(s, 'GET', '/v1/locations/near/stock?q=MILK');
    expect(store.items[0]).toMatchObject({ sku: 'MILK', on_hand: 5, in_transit: 30 });

    const received = await must(s, 'POST', `/v1/transfers/${t.id}/receive`);
    expect(received.status).toBe('received');
    expect(await stockAt(s, 'MILK', 'near')).toMatchObject({ on_hand: 35, in_transit: 0 });
    expect(await stockAt(s, 'CHIPS', 'near')).toMatchObject({ on_hand: 12, in_transit: 0 });
    expect(await movementsOf(t.id)).toEqual([
      'transfer_in near CHIPS 12',
      'transfer_in near MILK 30',
      'transfer_out dc1 CHIPS -12',
      'transfer_out dc1 MILK -30',
    ]);

    // no step twice, none out of order
    for (const action of ['ship', 'receive', 'cancel']) {
      const again = await s.api('POST', `/v1/transfers/${t.id}/${action}`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('transfer_state');
    }
    expect((await stockAt(s, 'MILK', 'near')).on_hand).toBe(35);
  });

  it('is cancelled only while requested, and cannot be received before it is shipped', async () => {
    const t = await must(s, 'POST', '/v1/transfers', request('dc1', 'mid', [{ sku: 'MILK', qty: 1 }]));
    expect((await s.api('POST', `/v1/transfers/${t.id}/receive`)).status).toBe(409);
    expect((await must(s, 'POST', `/v1/transfers/${t.id}/cancel`)).status).toBe('cancelled');
    expect((await s.api('POST', `/v1/transfers/${t.id}/ship`)).status).toBe(409);
    expect(await movementsOf(t.id)).toEqual([]);
  });

  it('is created once per Idempotency-Key', async () => {
    const body = request('dc1', 'far', [{ sku: 'MILK', qty: 2 }]);
    const headers = { 'idempotency-key': 'trf-once' };
    const a = await s.api('POST', '/v1/transfers', body, { headers });
    const b = await s.api('POST', '/v1/transfers', body, { headers });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    const list = await must(s, 'GET', '/v1/transfers?location_id=far');
    expect(list.items.map((x: { id: string }) => x.id)).toEqual([a.body.id]);
  });

  it('never ships what online orders hold or the safety stock keeps (409, nothing moves)', async () => {
    await must(s, 'POST', '/v1/products', { sku: 'SODA', name: 'Soda', category: 'snacks', list_price: 300 });
    await must(s, 'PUT', '/v1/stock/mid/SODA', { on_hand: 10, safety_stock: 2 });
    await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'SODA', qty: 3 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    });
    // 10 on hand − 3 reserved − 2 safety = 5 may go
    const big = await must(s, 'POST', '/v1/transfers', request('mid', 'near', [{ sku: 'SODA', qty: 6 }]));
    const r = await s.api('POST', `/v1/transfers/${big.id}/ship`);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: 'transfer_stock_short',
      field: 'lines',
      lines: [{ sku: 'SODA', qty: 6, online_available: 5 }],
    });
    expect(await stockAt(s, 'SODA', 'mid')).toMatchObject({ on_hand: 10, reserved: 3, online_available: 5 });
    expect((await must(s, 'GET', `/v1/transfers/${big.id}`)).status).toBe('requested');

    const fits = await must(s, 'POST', '/v1/transfers', request('mid', 'near', [{ sku: 'SODA', qty: 5 }]));
    await must(s, 'POST', `/v1/transfers/${fits.id}/ship`);
    expect(await stockAt(s, 'SODA', 'mid')).toMatchObject({ on_hand: 5, reserved: 3, online_available: 0 });
  });

  it('refuses bad requests naming the field, and lists by status', async () => {
    const bad = async (body: unknown, field: string, code: string) => {
      const r = await s.api('POST', '/v1/transfers', body);
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({ code, field });
    };
    await bad(request('dc1', 'dc1', [{ sku: 'MILK', qty: 1 }]), 'to_location_id', 'same_location');
    await bad(request('nowhere', 'near', [{ sku: 'MILK', qty: 1 }]), 'from_location_id', 'unknown_location');
    await bad(
      request('dc1', 'near', [
        { sku: 'MILK', qty: 1 },
        { sku: 'NOPE', qty: 1 },
      ]),
      'lines[1].sku',
      'unknown_sku',
    );
    await bad(
      request('dc1', 'near', [
        { sku: 'MILK', qty: 1 },
        { sku: 'MILK', qty: 2 },
      ]),
      'lines[1].sku',
      'duplicate_sku',
    );
    expect((await s.api('POST', '/v1/transfers', request('dc1', 'near', [{ sku: 'MILK', qty: 0 }]))).status).toBe(400);
    const received = await must(s, 'GET', '/v1/transfers?status=received');
    expect(received.items.length).toBeGreaterThan(0);
    expect(received.items.every((t: { status: string }) => t.status === 'received')).toBe(true);
    const cancelled = await must(s, 'GET', '/v1/transfers?status=cancelled');
    expect(cancelled.items.map((t: { status: string }) => t.status)).toEqual(['cancelled']);
  });

  it("lets store staff act only on their own store's side", async () => {
    const staff = await s.keyFor('store_staff', { location_id: 'near' });
    const as = (method: string, path: string, body?: unknown) => s.api(method, path, body, { key: staff });
    expect((await as('POST', '/v1/transfers', request('dc1', 'mid', [{ sku: 'MILK', qty: 1 }]))).status).toBe(403);
    const toNear = (await as('POST', '/v1/transfers', request('dc1', 'near', [{ sku: 'MILK', qty: 4 }]))).body;
    expect(toNear.status).toBe('requested');
    expect((await as('POST', `/v1/transfers/${toNear.id}/ship`)).status).toBe(403); // the DC ships
    await must(s, 'POST', `/v1/transfers/${toNear.id}/ship`);
    expect((await as('POST', `/v1/transfers/${toNear.id}/receive`)).status).toBe(200);

    const other = await must(s, 'POST', '/v1/transfers', request('dc1', 'mid', [{ sku: 'MILK', qty: 1 }]));
    expect((await as('GET', `/v1/transfers/${other.id}`)).status).toBe(403);
    expect((await as('POST', `/v1/transfers/${other.id}/cancel`)).status).toBe(403);
    const mine = (await as('GET', '/v1/transfers')).body.items as {
      from_location_id: string;
      to_location_id: string;
    }[];
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((t) => t.from_location_id === 'near' || t.to_location_id === 'near')).toBe(true);
  });
});

describe('concurrent shipping from one source', () => {
  let second: Remote | null = null;
  beforeAll(async () => {
    if (TEST_DB === 'postgres') second = await startSecondProcess(s);
  });
  afterAll(async () => second?.stop());

  async function raceShip(sku: string, via: ((path: string) => Promise<ApiResponse>)[]) {
    await must(s, 'POST', '/v1/products', { sku, name: sku, category: 'snacks', list_price: 100 });
    await must(s, 'PUT', `/v1/stock/dc1/${sku}`, { on_hand: 20, safety_stock: 0 });
    // 12 transfers of 3 units to three stores, from one source of 20: exactly 6 fit
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(
        (await must(s, 'POST', '/v1/transfers', request('dc1', ['near', 'mid', 'far'][i % 3], [{ sku, qty: 3 }]))).id,
      );
    const results = await Promise.all(ids.map((id, i) => via[i % via.length](`/v1/transfers/${id}/ship`)));
    const statuses = results.map((r) => (r.status === 200 ? 'shipped' : `${r.status} ${r.body?.error?.code}`));
    expect(statuses.filter((x) => x === 'shipped')).toHaveLength(6);
    expect(statuses.filter((x) => x !== 'shipped')).toEqual(Array(6).fill('409 transfer_stock_short'));
    const rows = (await must(s, 'GET', `/v1/stock/${sku}`)).locations as {
      location_id: string;
      on_hand: number;
      in_transit: number;
    }[];
    const dc = rows.find((r) => r.location_id === 'dc1')!;
    expect(dc.on_hand).toBe(2);
    expect(rows.reduce((n, r) => n + r.in_transit, 0)).toBe(18);
    const moved = (await must(s, 'GET', `/v1/stock/movements?sku=${sku}&limit=200`)).items as {
      reason: string;
      delta: number;
    }[];
    expect(moved.filter((m) => m.reason === 'transfer_out').reduce((n, m) => n + m.delta, 0)).toBe(-18);
  }

  it('ships exactly what the source holds when many ship at once', async () => {
    const local = (path: string) => s.api('POST', path);
    await raceShip('RACE1', [local]);
  });

  it.skipIf(TEST_DB !== 'postgres')('ships exactly what the source holds across two server processes', async () => {
    const local = (path: string) => s.api('POST', path);
    const remote = (path: string) => second!.api('POST', path);
    await raceShip('RACE2', [local, remote]);
  });
});
