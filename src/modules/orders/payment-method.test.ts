/**
 * The till's payment method (issue 16): an in-store sale records how it was paid as it is placed,
 * an online order when it is paid; order detail and the order list show it; a wrong value is 400
 * naming the field, and a method on an order that is not paid at placement is 422.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 50 }, mid: { MILK: 50 } });
});
afterAll(async () => s?.close());

const sale = (extra: object = {}) => ({
  channel: 'pos',
  lines: [{ sku: 'MILK', qty: 1 }],
  fulfillment: { type: 'in_store', location_id: 'near' },
  ...extra,
});

describe('payment method', () => {
  it('an in-store sale keeps its payment method: the answer, the detail and the list', async () => {
    const placed = await must(s, 'POST', '/v1/orders', sale({ payment_method: 'alipay' }));
    expect(placed.status).toBe('completed');
    expect(placed.payment_method).toBe('alipay');
    expect((await must(s, 'GET', `/v1/orders/${placed.id}`)).payment_method).toBe('alipay');
    const list = await must(s, 'GET', '/v1/orders?channel=pos&location_id=near');
    expect(list.items.find((o: { id: string }) => o.id === placed.id).payment_method).toBe('alipay');
  });

  it('each of the four methods round-trips; none told is null', async () => {
    for (const m of ['cash', 'wechat_pay', 'alipay', 'bank_card']) {
      const o = await must(s, 'POST', '/v1/orders', sale({ payment_method: m }));
      expect((await must(s, 'GET', `/v1/orders/${o.id}`)).payment_method).toBe(m);
    }
    const none = await must(s, 'POST', '/v1/orders', sale());
    expect((await must(s, 'GET', `/v1/orders/${none.id}`)).payment_method).toBeNull();
  });

  it('an unknown method is 400 naming payment_method, and no order is written', async () => {
    const before = (await must(s, 'GET', '/v1/orders?limit=200')).items.length;
    const r = await s.api('POST', '/v1/orders', sale({ payment_method: 'bitcoin' }));
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.error)).toContain('payment_method');
    expect((await must(s, 'GET', '/v1/orders?limit=200')).items.length).toBe(before);
  });

  it('an online order takes its method when paid, not when placed', async () => {
    const pickup = {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    };
    const early = await s.api('POST', '/v1/orders', { ...pickup, payment_method: 'cash' });
    expect(early.status).toBe(422);
    expect(early.body.error).toMatchObject({ code: 'payment_method_not_in_store', field: 'payment_method' });
    const o = await must(s, 'POST', '/v1/orders', pickup);
    expect(o.payment_method).toBeNull();
    const bad = await s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'wx-1', payment_method: 'cheque' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('payment_method');
    const paid = await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'wx-1', payment_method: 'wechat_pay' });
    expect(paid.status).toBe('paid');
    expect(paid.payment_method).toBe('wechat_pay');
    expect((await must(s, 'GET', `/v1/orders/${o.id}`)).payment_method).toBe('wechat_pay');
  });
});
