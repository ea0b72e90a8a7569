import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';

// Issue 16: the orders list filters by day and order id, shows the customer (name by role) and
// exports CSV; the fulfilments list pages newest first; query strings are closed (API hygiene).

let s: TestServer;
let staffKey: string;
let analystKey: string;
const ids: Record<string, string> = {};
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { mid: { MILK: 100 } });
  staffKey = await s.keyFor('store_staff', { location_id: 'mid' });
  analystKey = await s.keyFor('analyst');
  await must(s, 'POST', '/v1/identify', {
    channel: 'app',
    identifiers: [{ type: 'phone', value: '13955550001' }],
    traits: { name: '孙悟空' },
  });
  const place = (customer: boolean) =>
    must(s, 'POST', '/v1/orders', {
      channel: 'app',
      ...(customer ? { customer: { type: 'phone', value: '13955550001' } } : {}),
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    });
  ids.old = (await place(true)).id;
  ids.mid = (await place(false)).id;
  ids.now = (await place(true)).id;
  // Backdate two orders (and their fulfilments) to known days in Shanghai.
  const db = s.santong.ctx.database.db;
  await sql`UPDATE orders SET placed_at = '2026-03-01T16:30:00Z' WHERE id = ${ids.old}`.execute(db); // 3月2日 00:30
  await sql`UPDATE orders SET placed_at = '2026-03-01T15:30:00Z' WHERE id = ${ids.mid}`.execute(db); // 3月1日 23:30
});
afterAll(async () => s?.close());

const page = async (query: string, key?: string) => {
  const r = await s.api('GET', `/v1/orders${query}`, undefined, key ? { key } : {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { items: any[]; next_cursor: string | null };
};

describe('orders list', () => {
  it("filters by the retailer's days, inclusive", async () => {
    expect((await page('?from=2026-03-02&to=2026-03-02')).items.map((o) => o.id)).toEqual([ids.old]);
    expect((await page('?from=2026-03-01&to=2026-03-01')).items.map((o) => o.id)).toEqual([ids.mid]);
    expect((await page('?to=2026-03-02')).items.map((o) => o.id)).toEqual([ids.old, ids.mid]);
    expect((await page('?from=2026-03-03')).items.map((o) => o.id)).toEqual([ids.now]);
    for (const [q, field] of [
      ['from=2026-02-30', 'from'],
      ['to=2026-3-1', 'to'],
      ['from=2026-03-05&to=2026-03-01', 'from'],
    ]) {
      const r = await s.api('GET', `/v1/orders?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
  });

  it('searches by order id or its start (LIKE characters are literal)', async () => {
    expect((await page(`?q=${ids.mid}`)).items.map((o) => o.id)).toEqual([ids.mid]);
    expect((await page(`?q=${ids.now.slice(0, -3)}`)).items.map((o) => o.id)).toContain(ids.now);
    expect((await page('?q=or_')).items).toEqual([]); // _ is literal: ids start ord_
    expect((await page('?q=ord_')).items).toHaveLength(3);
    expect((await s.api('GET', '/v1/orders?q=ord%25')).status).toBe(400);
    expect((await s.api('GET', '/v1/orders?q=a%20b')).status).toBe(400);
  });

  it("shows the customer's name as the role may see it", async () => {
    const admin = (await page(`?q=${ids.now}`)).items[0];
    expect(admin.customer_name).toBe('孙悟空');
    expect(admin.customer_id).toMatch(/^cus_/);
    expect((await page(`?q=${ids.mid}`)).items[0].customer_name).toBeNull();
    expect((await page(`?q=${ids.now}`, staffKey)).items[0].customer_name).toBe('孙**');
    expect((await page(`?q=${ids.now}`, analystKey)).items[0].customer_name).toBeNull();
  });

  it('exports the filtered orders as CSV, audited when it holds names', async () => {
    const r = await s.api('GET', '/v1/orders?to=2026-03-02', undefined, { headers: { accept: 'text/csv' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const lines = String(r.body).trim().split('\n');
    expect(lines[0]).toBe(
      'id,placed_at,channel,location_id,fulfillment_type,status,total_fen,customer_id,customer_name',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([ids.old, ids.mid]);
    expect(lines[1]).toMatch(/,1290,cus_[^,]+,孙悟空$/);
    expect(lines[2]).toMatch(/,1290,,$/);
    const db = s.santong.ctx.database.db;
    const audited = await db.selectFrom('audit_log').select(['details']).where('action', '=', 'order.export').execute();
    expect(audited).toHaveLength(1);
    expect(audited[0].details).toMatchObject({ records: 1, orders: 2 });
    const plain = await s.api('GET', `/v1/orders?q=${ids.mid}`, undefined, { headers: { accept: 'text/csv' } });
    expect(plain.status).toBe(200);
    expect(await db.selectFrom('audit_log').select('id').where('action', '=', 'order.export').execute()).toHaveLength(
      1,
    ); // no names, no personal data: not an export of people
  });
});

describe('query strings are closed', () => {
  it('refuses an unknown parameter or a wrong value of a known one, naming it', async () => {
    for (const [url, field] of [
      ['/v1/orders?status=bogus', 'status'],
      ['/v1/orders?staus=paid', 'staus'],
      ['/v1/analytics/dashboard?from=2026-01-01', 'from'],
      [`/v1/orders/${ids.now}?verbose=1`, 'verbose'],
      ['/v1/fulfillments?status=allocated,bogus', 'status'],
    ]) {
      const r = await s.api('GET', url);
      expect(r.status, url).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_error', field });
    }
    const post = await s.api('POST', `/v1/orders/${ids.mid}/cancel?force=1`, { reason: 'changed mind' });
    expect(post.status).toBe(400);
    expect(post.body.error.field).toBe('force');
    expect((await page('?status=pending_payment')).items.length).toBe(3);
  });
});

describe('fulfilments list', () => {
  it('pages newest first with a cursor, by location and status', async () => {
    const first = await s.api('GET', '/v1/fulfillments?location_id=mid&status=pending,allocated&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await s.api(
      'GET',
      `/v1/fulfillments?location_id=mid&status=pending,allocated&limit=2&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(new Set(all.map((f: { order_id: string }) => f.order_id))).toEqual(new Set(Object.values(ids)));
    const times = all.map((f: { created_at: string }) => f.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    // A work queue reads the oldest first, and pages the same way.
    const oldest = await s.api('GET', '/v1/fulfillments?location_id=mid&status=pending,allocated&limit=2&order=oldest');
    const rest = await s.api(
      'GET',
      `/v1/fulfillments?location_id=mid&status=pending,allocated&limit=2&order=oldest&cursor=${oldest.body.next_cursor}`,
    );
    expect([...oldest.body.items, ...rest.body.items].map((f: { id: string }) => f.id)).toEqual(
      all.map((f: { id: string }) => f.id).reverse(),
    );
    expect((await s.api('GET', '/v1/fulfillments?location_id=near')).body.items).toEqual([]);
    const staff = await s.api('GET', '/v1/fulfillments?location_id=near', undefined, { key: staffKey });
    expect(staff.body.items).toHaveLength(3); // store staff see their own store's queue
  });
});
