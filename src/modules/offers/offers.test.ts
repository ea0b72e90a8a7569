import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
const DAY = 86_400_000;

async function member(phone: string): Promise<string> {
  return (await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: phone }], channel: 'app' }))
    .customer_id;
}

async function couponOf(customerId: string, body: Record<string, unknown>): Promise<string> {
  const t = await must(s, 'POST', '/v1/coupon-templates', {
    channels: ['online', 'store'],
    valid_from: new Date(Date.now() - DAY).toISOString(),
    valid_to: new Date(Date.now() + 30 * DAY).toISOString(),
    budget: 100,
    per_customer_limit: 5,
    stackable: true,
    ...body,
  });
  return (await must(s, 'POST', '/v1/coupons/issue', { template_id: t.id, customer: { id: customerId } })).code;
}

async function viewed(customerId: string, sku: string, daysAgo: number) {
  await must(s, 'POST', '/v1/events', {
    events: [
      {
        event_id: crypto.randomUUID(),
        customer_id: customerId,
        type: 'product_viewed',
        channel: 'app',
        occurred_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
        properties: { sku },
      },
    ],
  });
}

const offers = (id: string, query: string, key?: string) =>
  s.api('GET', `/v1/customers/${id}/offers${query}`, undefined, key ? { key } : {});

let a: string;
const codes: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  // MILK and SOAP in stock at near; TV out of stock there; CHIPS only at mid.
  await setupGoods(s, { near: { MILK: 5, TV: 0 }, mid: { CHIPS: 10, TV: 3 } });
  await must(s, 'POST', '/v1/products', { sku: 'SOAP', name: '香皂', category: 'home', list_price: 590 });
  await must(s, 'PUT', '/v1/stock/near/SOAP', { on_hand: 2, safety_stock: 2 });
  a = await member('13800000301');
  const b = await member('13800000302');
  codes.near = await couponOf(a, { name: '近店减5元', kind: 'amount_off', value: 500, locations: ['near'] });
  codes.mid = await couponOf(a, { name: '中店减8元', kind: 'amount_off', value: 800, locations: ['mid'] });
  codes.online = await couponOf(a, { name: '线上减20元', kind: 'amount_off', value: 2000, channels: ['online'] });
  codes.milk = await couponOf(a, { name: '牛奶减10元', kind: 'amount_off', value: 1000, skus: ['MILK'] });
  await couponOf(b, { name: '别人的券', kind: 'amount_off', value: 3000 });
  await viewed(a, 'TV', 1);
  await viewed(a, 'CHIPS', 1);
  await viewed(a, 'MILK', 3);
  await viewed(a, 'MILK', 2);
  await viewed(a, 'SOAP', 1);
  await viewed(a, 'NO-SUCH-SKU', 1);
  await viewed(b, 'SOAP', 0);
});
afterAll(async () => s?.close());

describe('offers at the till', () => {
  it('lists the coupons usable at this store best value first, then viewed products the store has in stock', async () => {
    const r = await offers(a, '?channel=pos&location_id=near');
    expect(r.status).toBe(200);
    expect(r.body.coupons.map((c: { code: string }) => c.code)).toEqual([codes.milk, codes.near]);
    expect(r.body.coupons[0]).toMatchObject({
      name: '牛奶减10元',
      skus: ['MILK'],
      products: [{ sku: 'MILK', name: 'Milk' }],
    });
    expect(r.body.coupons[1].products).toEqual([]);
    // SOAP (viewed latest) is in stock: the till sells on hand − reserved, safety stock is for online orders.
    expect(r.body.products).toEqual([
      { sku: 'SOAP', name: '香皂', price: 590, available: 2, viewed_at: expect.any(String) },
      { sku: 'MILK', name: 'Milk', price: 1290, available: 5, viewed_at: expect.any(String) },
    ]);
    expect(Date.parse(r.body.products[1].viewed_at)).toBeGreaterThan(Date.now() - 2 * DAY - 60_000);
  });

  it("shows another store's coupons and stock there, and the wallet lists the same coupons", async () => {
    const r = await must(s, 'GET', `/v1/customers/${a}/offers?location_id=mid`);
    expect(r.channel).toBe('pos');
    expect(r.coupons.map((c: { code: string }) => c.code)).toEqual([codes.milk, codes.mid]);
    expect(r.products.map((p: { sku: string }) => p.sku)).toEqual(['CHIPS', 'TV']);
    const wallet = await must(s, 'GET', `/v1/customers/${a}/wallet?channel=pos&location_id=mid`);
    expect(wallet.coupons.map((c: { code: string }) => c.code)).toEqual([codes.milk, codes.mid]);
    // In the app (an order picked up at mid) the online coupon comes first and near's drops out.
    const app = await must(s, 'GET', `/v1/customers/${a}/offers?channel=app&location_id=mid`);
    expect(app.coupons.map((c: { code: string }) => c.code)).toEqual([codes.online, codes.milk, codes.mid]);
  });

  it('drops views older than 30 days and products out of stock at the store', async () => {
    const c = await member('13800000303');
    await viewed(c, 'MILK', 31);
    await viewed(c, 'CHIPS', 1);
    expect((await must(s, 'GET', `/v1/customers/${c}/offers?location_id=near`)).products).toEqual([]);
    expect((await must(s, 'GET', `/v1/customers/${c}/offers?location_id=mid`)).products).toMatchObject([
      { sku: 'CHIPS', available: 10 },
    ]);
  });

  it('lets store staff see offers at their own store only, admin and marketer at any', async () => {
    const near = await s.keyFor('store_staff', { location_id: 'near' });
    const own = await offers(a, '', near);
    expect(own.status).toBe(200);
    expect(own.body.location_id).toBe('near');
    expect(own.body.coupons.map((c: { code: string }) => c.code)).toEqual([codes.milk, codes.near]);
    expect((await offers(a, '?location_id=near', near)).status).toBe(200);
    expect((await offers(a, '?location_id=mid', near)).status).toBe(403);
    expect((await offers(a, '?location_id=mid', await s.keyFor('marketer'))).status).toBe(200);
    expect((await offers(a, '?location_id=near', await s.keyFor('support'))).status).toBe(403);
    expect((await offers(a, '?location_id=near', await s.keyFor('analyst'))).status).toBe(403);
  });

  it('answers bad input with the field named', async () => {
    const missing = await offers(a, '');
    expect(missing.status).toBe(422);
    expect(missing.body.error.field).toBe('location_id');
    const unknown = await offers(a, '?location_id=nowhere');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.field).toBe('location_id');
    expect((await offers(a, '?location_id=near&channel=fax')).status).toBe(400);
    expect((await offers('cus_nobody', '?location_id=near')).status).toBe(404);
  });
});
