import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

/**
 * A store manager reads product names, not codes: every API answer the console shows SKUs from
 * (order lines, returns, stock movements, store tasks, the customer timeline) names the product
 * beside the SKU, read from the catalogue.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 10, CHIPS: 10 }, mid: { MILK: 5 } });
  await must(s, 'PUT', '/v1/products/MILK', { name: '光明鲜牛奶 950ml', category: 'fresh', list_price: 1290 });
});
afterAll(async () => s?.close());

describe('product names beside SKUs', () => {
  it('order lines and returns, when placed and when read back', async () => {
    const phone = '+8613900' + String(Date.now()).slice(-6);
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: phone },
      lines: [
        { sku: 'MILK', qty: 2 },
        { sku: 'CHIPS', qty: 1 },
      ],
      fulfillment: { type: 'in_store', location_id: 'near' },
    });
    const named = [
      ['MILK', '光明鲜牛奶 950ml'],
      ['CHIPS', 'Chips'],
    ];
    expect(o.lines.map((l: any) => [l.sku, l.product_name])).toEqual(named);
    const read = await must(s, 'GET', `/v1/orders/${o.id}`);
    expect(read.lines.map((l: any) => [l.sku, l.product_name])).toEqual(named);

    const ret = await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
      lines: [{ sku: 'MILK', qty: 1 }],
      location_id: 'near',
      reason: '包装破损',
    });
    expect(ret.lines).toEqual([{ sku: 'MILK', product_name: '光明鲜牛奶 950ml', qty: 1, amount: 1290 }]);
    const listed = await must(s, 'GET', `/v1/orders/${o.id}/returns`);
    expect(listed.items[0].lines).toEqual(ret.lines);

    // The customer's timeline: a viewed product carries its name; other moments are as they were.
    await must(s, 'POST', '/v1/events', {
      events: [
        {
          event_id: `names-${o.customer_id}`,
          type: 'product_viewed',
          occurred_at: new Date(Date.now() - 60_000).toISOString(),
          channel: 'app',
          customer_id: o.customer_id,
          properties: { sku: 'MILK' },
        },
      ],
    });
    const t = await must(s, 'GET', `/v1/customers/${o.customer_id}/timeline?types=event,order`);
    const viewed = t.items.find((i: any) => i.type === 'product_viewed');
    expect(viewed.data).toMatchObject({ properties: { sku: 'MILK' }, product_name: '光明鲜牛奶 950ml' });
    const order = t.items.find((i: any) => i.kind === 'order');
    expect(order.data).not.toHaveProperty('product_name');
  });

  it('stock movements and store tasks', async () => {
    const moves = await must(s, 'GET', '/v1/stock/movements?location_id=near&sku=CHIPS');
    expect(moves.items.length).toBeGreaterThan(0);
    for (const m of moves.items) expect(m.product_name).toBe('Chips');

    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    });
    await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'wx-names-1' });
    const tasks = await must(s, 'GET', '/v1/fulfillments?location_id=mid');
    const task = tasks.items.find((f: any) => f.order_id === o.id);
    expect(task.lines).toEqual([{ sku: 'MILK', product_name: '光明鲜牛奶 950ml', qty: 1 }]);
    const one = await must(s, 'GET', `/v1/fulfillments/${task.id}`);
    expect(one.lines).toEqual(task.lines);
  });
});
