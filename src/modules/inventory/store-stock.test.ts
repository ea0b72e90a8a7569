/**
 * Stock per store and low stock per location (issue 16), on a hand-built chain: the store view's
 * figures (on hand, reserved, safety, online-available, units sold there in 7 days: completed
 * and paid sales of this store only, not cancelled ones nor another store's), its search, sort
 * and paging; the product list's on-hand totals; the low-stock rules and which one fired; and
 * products found by barcode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
  const count = (loc: string, sku: string, on_hand: number, safety_stock: number) =>
    must(s, 'PUT', `/v1/stock/${loc}/${sku}`, { on_hand, safety_stock });
  await count('near', 'MILK', 20, 2);
  await count('near', 'TV', 5, 0);
  await count('near', 'CHIPS', 3, 3);
  await count('mid', 'MILK', 10, 0);
  const inStore = (location_id: string, sku: string, qty: number) =>
    must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      lines: [{ sku, qty }],
      fulfillment: { type: 'in_store', location_id },
      payment_method: 'cash',
    });
  await inStore('near', 'MILK', 3); // a sale: near MILK 17 on hand, 3 sold
  // a pickup paid then cancelled: back on the shelf, no sale
  const cancelled = await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'near' },
  });
  await must(s, 'POST', `/v1/orders/${cancelled.id}/pay`, { payment_ref: 'wx-c', payment_method: 'wechat_pay' });
  await must(s, 'POST', `/v1/orders/${cancelled.id}/cancel`, {});
  await inStore('mid', 'MILK', 4); // another store's sale
  // an unpaid pickup: reserves one TV at near, not a sale
  await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    lines: [{ sku: 'TV', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'near' },
  });
});
afterAll(async () => s?.close());

describe('GET /v1/locations/:id/stock', () => {
  it('every SKU at the store with its figures and 7-day sales', async () => {
    const r = await must(s, 'GET', '/v1/locations/near/stock');
    expect(r.location_id).toBe('near');
    expect(r.matches).toBe(3);
    expect(r.next_cursor).toBeNull();
    expect(r.items).toEqual([
      {
        sku: 'CHIPS',
        name: 'Chips',
        on_hand: 3,
        reserved: 0,
        safety_stock: 3,
        available: 3,
        online_available: 0,
        in_transit: 0,
        sales_7d: 0,
      },
      {
        sku: 'MILK',
        name: 'Milk',
        on_hand: 17,
        reserved: 0,
        safety_stock: 2,
        available: 17,
        online_available: 15,
        in_transit: 0,
        sales_7d: 3,
      },
      {
        sku: 'TV',
        name: 'TV',
        on_hand: 5,
        reserved: 1,
        safety_stock: 0,
        available: 4,
        online_available: 4,
        in_transit: 0,
        sales_7d: 0,
      },
    ]);
    const mid = await must(s, 'GET', '/v1/locations/mid/stock');
    expect(mid.items).toEqual([expect.objectContaining({ sku: 'MILK', on_hand: 6, sales_7d: 4 })]);
  });

  it('searches by name or SKU, sorts by a figure, pages with a cursor', async () => {
    const found = await must(s, 'GET', '/v1/locations/near/stock?q=mil');
    expect(found.items.map((i: { sku: string }) => i.sku)).toEqual(['MILK']);
    expect(found.matches).toBe(1);
    const bySales = await must(s, 'GET', '/v1/locations/near/stock?sort=sales_7d&order=desc');
    expect(bySales.items[0].sku).toBe('MILK');
    const byOnHand = await must(s, 'GET', '/v1/locations/near/stock?sort=on_hand');
    expect(byOnHand.items.map((i: { sku: string }) => i.sku)).toEqual(['CHIPS', 'TV', 'MILK']);
    const first = await must(s, 'GET', '/v1/locations/near/stock?sort=on_hand&order=desc&limit=2');
    expect(first.items.map((i: { sku: string }) => i.sku)).toEqual(['MILK', 'TV']);
    expect(first.matches).toBe(3);
    const second = await must(
      s,
      'GET',
      `/v1/locations/near/stock?sort=on_hand&order=desc&limit=2&cursor=${first.next_cursor}`,
    );
    expect(second.items.map((i: { sku: string }) => i.sku)).toEqual(['CHIPS']);
    expect(second.next_cursor).toBeNull();
  });

  it('an unknown store is 404; a bad sort is 400 naming it', async () => {
    expect((await s.api('GET', '/v1/locations/nowhere/stock')).status).toBe(404);
    const bad = await s.api('GET', '/v1/locations/near/stock?sort=colour');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('sort');
  });

  it('the product list stock column: on hand over every location, 0 where none is held', async () => {
    const r = await must(s, 'GET', '/v1/stock/totals?skus=MILK,TV,CHIPS,NONE');
    expect(r.items).toEqual([
      { sku: 'MILK', on_hand: 23 },
      { sku: 'TV', on_hand: 5 },
      { sku: 'CHIPS', on_hand: 3 },
      { sku: 'NONE', on_hand: 0 },
    ]);
  });
});

describe('GET /v1/stock/low/locations', () => {
  const low = async (query = '') =>
    (await must(s, 'GET', `/v1/stock/low/locations${query}`)).items.map(
      (i: { location_id: string; sku: string; rules: string[]; threshold: number | null; available: number }) =>
        `${i.location_id}/${i.sku} ${i.available} ${i.rules.join('+')} ${i.threshold}`,
    );

  it('by default only safety stock fires: a store at its safety stock is listed', async () => {
    expect(await low()).toEqual(['near/CHIPS 3 safety_stock null']);
  });

  it('the store threshold and a product rule (which replaces it) fire, and say so', async () => {
    const policy = await must(s, 'GET', '/v1/stock/low-stock-policy');
    await must(s, 'PUT', '/v1/stock/low-stock-policy', { ...policy, store_threshold: 4 });
    expect(await low()).toEqual(['near/CHIPS 3 safety_stock+store_threshold 4', 'near/TV 4 store_threshold 4']);
    await must(s, 'PUT', '/v1/stock/low-stock-rules/MILK', { threshold: 17 });
    await must(s, 'PUT', '/v1/stock/low-stock-rules/TV', { threshold: 3 });
    expect(await low()).toEqual([
      'mid/MILK 6 product_rule 17',
      'near/CHIPS 3 safety_stock+store_threshold 4',
      'near/MILK 17 product_rule 17',
    ]);
    expect(await low('?location_id=near&rule=product_rule')).toEqual(['near/MILK 17 product_rule 17']);
    expect(await low('?q=chip')).toEqual(['near/CHIPS 3 safety_stock+store_threshold 4']);
    const rules = await must(s, 'GET', '/v1/stock/low-stock-rules');
    expect(
      rules.items.map((r: { sku: string; name: string; threshold: number }) => [r.sku, r.name, r.threshold]),
    ).toEqual([
      ['MILK', 'Milk', 17],
      ['TV', 'TV', 3],
    ]);
    expect(await must(s, 'DELETE', '/v1/stock/low-stock-rules/TV')).toEqual({ sku: 'TV', threshold: 3 });
    expect(await low('?location_id=near&rule=store_threshold')).toEqual([
      'near/CHIPS 3 safety_stock+store_threshold 4',
      'near/TV 4 store_threshold 4',
    ]);
    const page1 = await must(s, 'GET', '/v1/stock/low/locations?limit=2');
    const page2 = await must(s, 'GET', `/v1/stock/low/locations?limit=2&cursor=${page1.next_cursor}`);
    expect([...page1.items, ...page2.items].map((i: { sku: string }) => i.sku)).toEqual([
      'MILK',
      'CHIPS',
      'MILK',
      'TV',
    ]);
  });

  it('refuses a rule for an unknown product (422), a negative threshold (400), a missing rule (404), a bad rule filter (400)', async () => {
    const unknown = await s.api('PUT', '/v1/stock/low-stock-rules/NOPE', { threshold: 2 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_sku', field: 'sku' });
    const negative = await s.api('PUT', '/v1/stock/low-stock-rules/MILK', { threshold: -1 });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body.error)).toContain('threshold');
    expect((await s.api('DELETE', '/v1/stock/low-stock-rules/CHIPS')).status).toBe(404);
    const bad = await s.api('GET', '/v1/stock/low/locations?rule=vibes');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('rule');
  });
});

describe('barcodes', () => {
  it('a product keeps its barcode; search finds it exactly; another product cannot take it', async () => {
    const p = await must(s, 'POST', '/v1/products', {
      sku: 'SOAP',
      name: '香皂 Soap',
      category: 'personal_care',
      list_price: 590,
      barcode: '6901234000016',
    });
    expect(p.barcode).toBe('6901234000016');
    const found = await must(s, 'GET', '/v1/products?q=6901234000016');
    expect(found.items.map((i: { sku: string }) => i.sku)).toEqual(['SOAP']);
    expect((await must(s, 'GET', '/v1/products?q=690123400001')).items).toEqual([]);
    const taken = await s.api('POST', '/v1/products', {
      sku: 'SOAP2',
      name: 'Soap 2',
      category: 'personal_care',
      list_price: 590,
      barcode: '6901234000016',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'barcode_taken', field: 'barcode' });
    expect((await s.api('GET', '/v1/products/SOAP2')).status).toBe(404);
    const bad = await s.api('PUT', '/v1/products/SOAP', {
      name: 'Soap',
      category: 'personal_care',
      list_price: 590,
      barcode: '12ab',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('barcode');
    // left out: unchanged; null: cleared
    expect(
      (await must(s, 'PUT', '/v1/products/SOAP', { name: 'Soap', category: 'personal_care', list_price: 590 })).barcode,
    ).toBe('6901234000016');
    expect(
      (
        await must(s, 'PUT', '/v1/products/SOAP', {
          name: 'Soap',
          category: 'personal_care',
          list_price: 590,
          barcode: null,
        })
      ).barcode,
    ).toBeNull();
  });
});
