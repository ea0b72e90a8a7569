import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

/**
 * Viewed-not-bought at the till (issue 15, flow 2): a journey issues a coupon scoped to the SKU of
 * the product_viewed event; the wallet at the store's till lists it and the offers of the
 * payment-success screen put it first, named by the product, with the viewed product in stock.
 */

let s: TestServer;
const DAY = 86_400_000;

beforeAll(async () => {
  s = await startTestServer({ env: { SANTONG_JOURNEY_TICK_MS: '100' } });
  await setupGoods(s, { near: { TV: 4, MILK: 50 } });
});
afterAll(async () => s?.close());

const template = async (name: string, value: number) =>
  (
    await must(s, 'POST', '/v1/coupon-templates', {
      name,
      kind: 'amount_off',
      value,
      channels: ['online', 'store'],
      valid_from: new Date(Date.now() - DAY).toISOString(),
      valid_to: new Date(Date.now() + 30 * DAY).toISOString(),
      budget: 100,
      per_customer_limit: 5,
      stackable: true,
    })
  ).id;

describe('a journey coupon for the viewed SKU at the till', () => {
  it('is in the wallet at the store and first among the offers', async () => {
    const viewedCoupon = await template('看过的商品减50元', 5000);
    const small = await template('全场减3元', 300);
    const journey = await must(s, 'POST', '/v1/journeys', {
      name: '浏览未购',
      trigger: { event: { type: 'product_viewed' } },
      steps: [{ id: 'coupon', issue_coupon: { template_id: viewedCoupon, sku_from_trigger: true } }],
    });
    await must(s, 'POST', `/v1/journeys/${journey.id}/activate`, {});
    const c = (
      await must(s, 'POST', '/v1/identify', {
        identifiers: [{ type: 'phone', value: '13800000401' }],
        channel: 'app',
      })
    ).customer_id;
    await must(s, 'POST', '/v1/coupons/issue', { template_id: small, customer: { id: c } });
    await must(s, 'POST', '/v1/events', {
      events: [
        {
          event_id: crypto.randomUUID(),
          customer_id: c,
          type: 'product_viewed',
          channel: 'app',
          occurred_at: new Date().toISOString(),
          properties: { sku: 'TV' },
        },
      ],
    });
    const deadline = Date.now() + 30_000;
    let offers = await must(s, 'GET', `/v1/customers/${c}/offers?channel=pos&location_id=near`);
    while (offers.coupons.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      offers = await must(s, 'GET', `/v1/customers/${c}/offers?channel=pos&location_id=near`);
    }
    expect(offers.coupons.map((x: { template_id: string }) => x.template_id)).toEqual([viewedCoupon, small]);
    expect(offers.coupons[0]).toMatchObject({ skus: ['TV'], categories: null, products: [{ sku: 'TV', name: 'TV' }] });
    expect(offers.products).toMatchObject([{ sku: 'TV', name: 'TV', price: 399900, available: 4 }]);
    const wallet = await must(s, 'GET', `/v1/customers/${c}/wallet?channel=pos&location_id=near`);
    expect(wallet.coupons.map((x: { code: string }) => x.code)).toEqual(
      offers.coupons.map((x: { code: string }) => x.code),
    );
    expect(wallet.coupons[0].skus).toEqual(['TV']);
    const report = await must(s, 'GET', `/v1/journeys/${journey.id}/report`);
    expect(report).toMatchObject({ entered: 1, coupons: { issued: 1 } });
  });
});
