import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, must, setupGoods, stockAt } from '../../../test/fixtures/goods';

let s: TestServer;
const DAY = 86_400_000;

async function member(phone: string): Promise<string> {
  return (await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: phone }], channel: 'app' }))
    .customer_id;
}

async function template(body: Record<string, unknown>): Promise<string> {
  const t = await must(s, 'POST', '/v1/coupon-templates', {
    channels: ['online', 'store'],
    valid_from: new Date(Date.now() - DAY).toISOString(),
    valid_to: new Date(Date.now() + 30 * DAY).toISOString(),
    budget: 1000,
    per_customer_limit: 10,
    stackable: true,
    ...body,
  });
  return t.id;
}

async function couponFor(templateId: string, customerId: string): Promise<string> {
  return (await must(s, 'POST', '/v1/coupons/issue', { template_id: templateId, customer: { id: customerId } })).code;
}

async function points(customerId: string): Promise<number> {
  return (await must(s, 'GET', `/v1/customers/${customerId}/points`)).balance;
}

const pos = (lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) => ({
  channel: 'pos',
  lines,
  fulfillment: { type: 'in_store', location_id: 'near' },
  ...extra,
});

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { dc1: { TV: 10, CHIPS: 500, MILK: 500 }, near: { MILK: 200, CHIPS: 200, TV: 5 } });
});
afterAll(async () => s?.close());

describe('one checkout price', () => {
  it('gives every customer the same list price for the same SKU, channel, location and time', async () => {
    const loyal = await member('13800000101');
    const fresh = await member('13800000102');
    await must(s, 'POST', '/v1/points/adjust', {
      customer: { id: loyal },
      points: 50_000,
      reason: 'migration from the old card system',
    });
    await must(s, 'POST', '/v1/orders', pos([{ sku: 'TV', qty: 3 }], { customer: { id: loyal } })); // ≥ 8,000 CNY in 12 months: gold
    const wallet = await must(s, 'GET', `/v1/customers/${loyal}/wallet?channel=pos&location_id=near`);
    expect(wallet.tier.code).not.toBe((await must(s, 'GET', `/v1/customers/${fresh}/wallet`)).tier.code);
    const body = (customer?: unknown) => ({
      channel: 'app',
      lines: [
        { sku: 'MILK', qty: 2 },
        { sku: 'TV', qty: 1 },
      ],
      fulfillment: delivery('hour'),
      ...(customer ? { customer } : {}),
    });
    const quotes = await Promise.all(
      [body({ id: loyal }), body({ id: fresh }), body({ type: 'phone', value: '13800000199' }), body()].map((b) =>
        must(s, 'POST', '/v1/quote', b),
      ),
    );
    for (const q of quotes) {
      expect(q.lines.map((l: { unit_price: number; subtotal: number }) => [l.unit_price, l.subtotal])).toEqual([
        [1290, 2580],
        [399900, 399900],
      ]);
      expect(q.totals.total).toBe(quotes[0].totals.total);
    }
    // Quoting an unknown phone created nobody.
    expect((await s.api('GET', '/v1/customers/lookup?type=phone&value=13800000199')).status).toBe(404);
  });

  it('prices an order exactly as its quote, spends the coupon and points, and earns on the cash paid', async () => {
    const c = await member('13800000201');
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: c }, points: 3000, reason: 'welcome' });
    const tpl = await template({ name: '满50减10', kind: 'threshold', value: 1000, min_spend: 5000 });
    const code = await couponFor(tpl, c);
    const body = pos(
      [
        { sku: 'MILK', qty: 3 },
        { sku: 'CHIPS', qty: 4 },
      ],
      { customer: { id: c }, coupon_codes: [code], points: 1000 },
    );
    const q = await must(s, 'POST', '/v1/quote', body);
    expect(q.issues).toEqual([]);
    expect(q.totals).toMatchObject({
      subtotal: 3870 + 3996,
      coupon_discount: 1000,
      points_discount: 1000,
      points_used: 1000,
      delivery_fee: 0,
      total: 7866 - 2000,
    });
    expect(q.adjustments.map((a: { type: string }) => a.type)).toEqual(['coupon', 'points']);
    const o = await must(s, 'POST', '/v1/orders', body);
    expect(o.totals).toMatchObject({ subtotal: q.totals.subtotal, discount: 2000, total: q.totals.total });
    expect(o.lines.map((l: { amount: number }) => l.amount)).toEqual(q.lines.map((l: { amount: number }) => l.amount));
    expect(o.pricing.coupons).toEqual([expect.objectContaining({ code, discount: 1000 })]);
    expect((await must(s, 'GET', `/v1/coupons/${code}`)).status).toBe('redeemed');
    // 3000 − 1000 spent + 1 point per whole CNY paid on each line (tier multiplier 1 for a new member)
    expect(await points(c)).toBe(
      2000 + o.lines.reduce((t: number, l: { amount: number }) => t + Math.floor(l.amount / 100), 0),
    );
    const again = await s.api('POST', '/v1/orders', body);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'coupon_already_redeemed', field: 'coupon_codes[0]' });
  });

  it("answers a member's balance and the most points usable even when the quote spends none", async () => {
    const c = await member('13800000651');
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: c }, points: 100_000, reason: 'welcome' });
    const basket = [{ sku: 'MILK', qty: 3 }];
    const q = await must(s, 'POST', '/v1/quote', pos(basket, { customer: { id: c } }));
    expect(q.points).toMatchObject({ requested: 0, applied: 0, value: 0, balance: 100_000 });
    // The balance is large, so the cap on the goods is what limits: spending exactly that is honoured, one step more is not.
    expect(q.points.max_usable).toBeGreaterThan(0);
    expect(q.points.max_usable).toBeLessThan(100_000);
    const max = await must(s, 'POST', '/v1/quote', pos(basket, { customer: { id: c }, points: q.points.max_usable }));
    expect(max.points.applied).toBe(q.points.max_usable);
    expect(max.totals.points_discount).toBe(max.points.value);
    expect(max.issues).toEqual([]);
    const over = await must(
      s,
      'POST',
      '/v1/quote',
      pos(basket, { customer: { id: c }, points: q.points.max_usable + q.points.step }),
    );
    expect(over.issues[0]).toMatchObject({ code: 'points_cap_exceeded', field: 'points' });
    // A member with few points: the balance is what limits.
    const poor = await member('13800000652');
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: poor }, points: 7, reason: 'welcome' });
    const small = await must(s, 'POST', '/v1/quote', pos(basket, { customer: { id: poor } }));
    expect(small.points.balance).toBe(7);
    expect(small.points.max_usable).toBe(Math.floor(7 / small.points.step) * small.points.step);
    // Nobody to spend for: no balance, nothing usable.
    const anon = await must(s, 'POST', '/v1/quote', pos(basket));
    expect(anon.points).toMatchObject({ balance: null, max_usable: 0 });
  });

  it('refuses what the quote cannot honour, naming the field, and writes nothing', async () => {
    const c = await member('13800000301');
    const before = (await stockAt(s, 'CHIPS', 'near')).on_hand;
    const tooMany = await s.api(
      'POST',
      '/v1/orders',
      pos([{ sku: 'CHIPS', qty: 1 }], { customer: { id: c }, points: 10 }),
    );
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatchObject({ code: 'insufficient_points', field: 'points' });
    const anon = await s.api('POST', '/v1/orders', pos([{ sku: 'CHIPS', qty: 1 }], { points: 10 }));
    expect(anon.body.error.field).toBe('points');
    const bogus = await s.api(
      'POST',
      '/v1/orders',
      pos([{ sku: 'CHIPS', qty: 1 }], { customer: { id: c }, coupon_codes: ['NOT-A-CODE'] }),
    );
    expect(bogus.status).toBe(422);
    expect(bogus.body.error.field).toBe('coupon_codes[0]');
    expect((await stockAt(s, 'CHIPS', 'near')).on_hand).toBe(before);
  });

  it('gives coupons and points back when an unpaid online order is cancelled', async () => {
    const c = await member('13800000401');
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: c }, points: 500, reason: 'goodwill' });
    const code = await couponFor(await template({ name: '9折', kind: 'percent_off', value: 10, cap: 5000 }), c);
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      customer: { id: c },
      lines: [{ sku: 'CHIPS', qty: 5 }],
      fulfillment: delivery('standard'),
      coupon_codes: [code],
      points: 500,
    });
    expect(o.totals.coupon_discount).toBe(499);
    expect(await points(c)).toBe(0);
    await must(s, 'POST', `/v1/orders/${o.id}/cancel`, {});
    expect(await points(c)).toBe(500);
    expect((await must(s, 'GET', `/v1/coupons/${code}`)).status).toBe('issued');
  });

  it('refunds exactly what was paid for returned units and gives points back in proportion', async () => {
    const c = await member('13800000501');
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: c }, points: 1000, reason: 'goodwill' });
    const code = await couponFor(await template({ name: '减7元', kind: 'amount_off', value: 700 }), c);
    const o = await must(
      s,
      'POST',
      '/v1/orders',
      pos([{ sku: 'MILK', qty: 3 }], { customer: { id: c }, coupon_codes: [code], points: 1000 }),
    );
    // 3870 − 700 − 1000 = 2170 paid for 3 units
    expect(o.totals.total).toBe(2170);
    const earned = 21;
    expect(await points(c)).toBe(earned);
    const refunds: number[] = [];
    for (const qty of [1, 1, 1])
      refunds.push(
        (
          await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
            lines: [{ sku: 'MILK', qty }],
            location_id: 'near',
            reason: 'unwanted',
          })
        ).refund_amount,
      );
    expect(refunds.reduce((t, r) => t + r, 0)).toBe(2170);
    expect(refunds).toEqual([723, 723, 724]);
    // All 1000 redeemed points came back, all 21 earned went; the fully returned order frees the coupon.
    expect(await points(c)).toBe(1000);
    expect((await must(s, 'GET', `/v1/coupons/${code}`)).status).toBe('issued');
  });

  it('does not apply a coupon to a SKU whose promotions are paused by low stock, and says why', async () => {
    const c = await member('13800000601');
    await must(s, 'PUT', '/v1/stock/near/TV', { on_hand: 1, safety_stock: 0 });
    await must(s, 'PUT', '/v1/stock/dc1/TV', { on_hand: 0, safety_stock: 0 });
    // The dispatcher is off in this file: evaluate the low-stock rule the way it would.
    await s.santong.ctx.dispatcher.runOnce();
    const code = await couponFor(
      await template({ name: '家电减100', kind: 'amount_off', value: 10_000, categories: ['appliances'] }),
      c,
    );
    const q = await must(
      s,
      'POST',
      '/v1/quote',
      pos([{ sku: 'TV', qty: 1 }], { customer: { id: c }, coupon_codes: [code] }),
    );
    expect(q.coupons[0]).toMatchObject({ applied: false, reason: 'promotion_paused' });
    expect(q.adjustments.find((a: { type: string }) => a.type === 'promotion_paused').description).toMatch(/TV/);
    expect(q.totals.total).toBe(399900);
  });
});
