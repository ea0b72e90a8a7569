/**
 * Regression tests for issue 12 (findings 1–4) and the 403-before-400 part of 16, each as the
 * attacker tried it: a store staff key of store A (near) against store B (mid), an app
 * integration key against other channels, the app key against wallets and coupons, and points minting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';

let s: TestServer;
let staffNear: string;
let appKey: string;
let cust: string;
let otherCust: string;
const window = { valid_from: '2026-01-01T00:00:00Z', valid_to: '2099-01-01T00:00:00Z' };

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 50 }, mid: { MILK: 50 } });
  staffNear = await s.keyFor('store_staff', { location_id: 'near' });
  appKey = await s.keyFor('integration', { channel: 'app' });
  cust = (
    await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: '+8613822220000' }], channel: 'app' })
  ).customer_id;
  otherCust = (
    await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: '+8613822220001' }], channel: 'app' })
  ).customer_id;
});
afterAll(async () => s?.close());

const sale = (location: string) =>
  must(s, 'POST', '/v1/orders', {
    channel: 'pos',
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'in_store', location_id: location },
  });
const online = (channel: string, customer = cust) =>
  must(s, 'POST', '/v1/orders', {
    channel,
    customer: { id: customer },
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'near' },
  });
const as = (key: string, method: string, path: string, body?: unknown) => s.api(method, path, body, { key });

describe('finding 1: store staff act on their own store only', () => {
  it("cannot pay, cancel, refund or list returns of another store's order; can at their own", async () => {
    const b = await sale('mid');
    expect((await as(staffNear, 'GET', `/v1/orders/${b.id}`)).status).toBe(403);
    expect((await as(staffNear, 'POST', `/v1/orders/${b.id}/pay`, { payment_ref: 'x' })).status).toBe(403);
    expect((await as(staffNear, 'POST', `/v1/orders/${b.id}/cancel`, {})).status).toBe(403);
    const refund = await as(staffNear, 'POST', `/v1/orders/${b.id}/returns`, {
      lines: [{ sku: 'MILK', qty: 1 }],
      location_id: 'near',
      reason: 'x',
    });
    expect([refund.status, refund.body.error.code]).toEqual([403, 'forbidden']);
    expect((await as(staffNear, 'GET', `/v1/orders/${b.id}/returns`)).status).toBe(403);
    expect((await must(s, 'GET', `/v1/orders/${b.id}`)).status).toBe(b.status); // nothing changed

    const a = await sale('near');
    const own = await as(staffNear, 'POST', `/v1/orders/${a.id}/returns`, {
      lines: [{ sku: 'MILK', qty: 1 }],
      location_id: 'near',
      reason: 'broken',
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect((await as(staffNear, 'GET', `/v1/orders/${a.id}/returns`)).body.items).toHaveLength(1);
  });
});

describe("finding 2: integration keys act on their channel's orders only, and stock needs a scope", () => {
  it("cannot pay, cancel, refund, advance or read another channel's orders", async () => {
    const mini = await online('mini_program');
    expect((await as(appKey, 'POST', `/v1/orders/${mini.id}/pay`, { payment_ref: 'p' })).status).toBe(403);
    expect((await as(appKey, 'POST', `/v1/orders/${mini.id}/cancel`)).status).toBe(403);
    const read = await as(appKey, 'GET', `/v1/orders/${mini.id}`);
    expect(read.status).toBe(403);
    expect(JSON.stringify(read.body)).not.toContain(mini.pickup_code);
    expect((await as(appKey, 'GET', `/v1/fulfillments/${mini.allocations[0].fulfillment_id}`)).status).toBe(403);
    expect(
      (await as(appKey, 'POST', `/v1/fulfillments/${mini.allocations[0].fulfillment_id}/events`, { type: 'picked' }))
        .status,
    ).toBe(403);
    const pos = await sale('near');
    expect(
      (
        await as(appKey, 'POST', `/v1/orders/${pos.id}/returns`, {
          lines: [{ sku: 'MILK', qty: 1 }],
          location_id: 'near',
          reason: 'x',
        })
      ).status,
    ).toBe(403);
    expect((await must(s, 'GET', `/v1/orders/${mini.id}`)).status).toBe('pending_payment');

    expect((await as(appKey, 'GET', '/v1/orders?channel=pos')).status).toBe(403);
    expect((await as(appKey, 'GET', '/v1/fulfillments')).status).toBe(403);
    const mine = await online('app');
    const list = await as(appKey, 'GET', '/v1/orders?limit=200');
    expect(list.status).toBe(200);
    expect(new Set(list.body.items.map((o: { channel: string }) => o.channel))).toEqual(new Set(['app']));
    // Its own order, pickup code included, and it may pay it.
    expect((await as(appKey, 'GET', `/v1/orders/${mine.id}`)).body.pickup_code).toBe(mine.pickup_code);
    const paid = await as(appKey, 'POST', `/v1/orders/${mine.id}/pay`, { payment_ref: 'pay-1' });
    expect([paid.status, paid.body.status]).toEqual([200, 'paid']);
    // Store staff at the pickup store pay and hand over, but never see the code.
    expect((await as(staffNear, 'GET', `/v1/orders/${mine.id}`)).body.pickup_code).toBeUndefined();
  });

  it('cannot overwrite stock without the stock scope, which no sales channel gets by default', async () => {
    const before = await stockAt(s, 'MILK', 'mid');
    const put = await as(appKey, 'PUT', '/v1/stock/mid/MILK', { on_hand: 0 });
    expect([put.status, put.body.error.message]).toEqual([403, 'this key does not have the scope stock']);
    expect(
      (
        await as(appKey, 'POST', '/v1/stock/movements', {
          location_id: 'mid',
          sku: 'MILK',
          delta: -4,
          reason: 'adjustment',
        })
      ).status,
    ).toBe(403);
    expect((await stockAt(s, 'MILK', 'mid')).on_hand).toBe(before.on_hand);
    const wms = (
      await must(s, 'POST', '/v1/api-keys', { name: 'wms', role: 'integration', channel: 'web', scopes: ['stock'] })
    ).key;
    expect((await as(wms, 'PUT', '/v1/stock/mid/MILK', { on_hand: before.on_hand + 1 })).status).toBe(200);
    expect((await as(wms, 'POST', '/v1/orders', {})).status).toBe(403); // a stock key does not sell
  });
});

describe('finding 3: wallets need loyalty:read, redemption by an integration key needs its order', () => {
  it('reads a wallet only with the scope', async () => {
    expect((await as(appKey, 'GET', `/v1/customers/${cust}/wallet`)).status).toBe(200);
    const groupBuy = await s.keyFor('integration', { channel: 'group_buy' });
    expect((await as(groupBuy, 'GET', `/v1/customers/${cust}/wallet`)).status).toBe(403);
    const ordersOnly = (
      await must(s, 'POST', '/v1/api-keys', {
        name: 'orders only',
        role: 'integration',
        channel: 'app',
        scopes: ['orders'],
      })
    ).key;
    expect((await as(ordersOnly, 'GET', `/v1/customers/${cust}/points`)).status).toBe(403);
  });

  it("cannot burn a customer's coupon without an order of its channel and that customer", async () => {
    const t = await must(s, 'POST', '/v1/coupon-templates', {
      name: '5元',
      kind: 'amount_off',
      value: 500,
      channels: ['online', 'store'],
      ...window,
      per_customer_limit: 10,
    });
    const code = (await must(s, 'POST', '/v1/coupons/issue', { template_id: t.id, customer: { id: cust } })).code;
    const redeem = (key: string, body: Record<string, unknown>) =>
      as(key, 'POST', `/v1/coupons/${code}/redeem`, { channel: 'app', amount: 0, ...body });

    let r = await redeem(appKey, { order_ref: 'no-order' });
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([422, 'order_required', 'order_ref']);
    const mini = await online('mini_program');
    expect((await redeem(appKey, { order_ref: mini.id })).status).toBe(403);
    const theirs = await online('app', otherCust);
    r = await redeem(appKey, { order_ref: theirs.id });
    expect([r.status, r.body.error.code]).toEqual([422, 'coupon_not_yours']);
    expect((await redeem(staffNear, { order_ref: 'POS-9' })).status).toBe(403); // store staff: their till, channel pos
    expect((await must(s, 'GET', `/v1/coupons/${code}`)).status).toBe('issued');

    const mine = await online('app');
    r = await redeem(appKey, { order_ref: mine.id, amount: 500 });
    expect([r.status, r.body.status, r.body.order_ref]).toEqual([200, 'redeemed', mine.id]);
  });
});

describe('finding 4: points are earned for acts of the rules, capped per day; a number only from an admin', () => {
  it('refuses free numbers and minting keys, and caps acts per customer and day', async () => {
    const member = (
      await must(s, 'POST', '/v1/identify', {
        identifiers: [{ type: 'phone', value: '+8613822220002' }],
        channel: 'app',
      })
    ).customer_id;
    const earn = (key: string | undefined, body: Record<string, unknown>) =>
      s.api('POST', '/v1/points/earn', { customer: { id: member }, reason: 'r', ...body }, key ? { key } : {});
    expect((await earn(appKey, { points: 1_000_000, ref: 'm1' })).status).toBe(403);
    expect((await earn(await s.keyFor('marketer'), { points: 1_000_000, ref: 'm2' })).status).toBe(403);
    const earner = (
      await must(s, 'POST', '/v1/api-keys', {
        name: 'reviews',
        role: 'integration',
        channel: 'app',
        scopes: ['points:earn'],
      })
    ).key;
    expect((await earn(earner, { points: 1_000_000, ref: 'm3' })).status).toBe(403);
    expect((await earn(earner, { act: 'review', points: 1_000_000, ref: 'm4' })).status).toBe(403);

    for (const ref of ['r1', 'r2', 'r3'])
      expect((await earn(earner, { act: 'review', ref })).body).toMatchObject({ points: 10, replayed: false });
    expect((await earn(earner, { act: 'review', ref: 'r1' })).body).toMatchObject({ points: 10, replayed: true });
    const fourth = await earn(earner, { act: 'review', ref: 'r4' });
    expect([fourth.status, fourth.body.error.code, fourth.body.error.field]).toEqual([429, 'act_daily_limit', 'act']);
    // An act the rules do not limit earns once a day.
    await must(s, 'PUT', '/v1/loyalty/rules', { acts: { packaging_return: 20, review: 10, check_in: 5 } });
    expect((await earn(earner, { act: 'check_in', ref: 'c1' })).status).toBe(201);
    expect((await earn(earner, { act: 'check_in', ref: 'c2' })).status).toBe(429);
    expect((await must(s, 'GET', `/v1/customers/${member}/points`)).balance).toBe(35);
    expect((await earn(undefined, { points: 55, ref: 'admin-1' })).status).toBe(201);

    const bad = await s.api('PUT', '/v1/loyalty/rules', { act_daily_limits: { Review: 2 } });
    expect([bad.status, bad.body.error.field]).toEqual([422, 'act_daily_limits.Review']);
  });
});

describe('finding 16 and key scopes', () => {
  it('answers a caller without the role 403 before validating the body', async () => {
    const marketer = await s.keyFor('marketer');
    for (const body of [undefined, {}, { lines: 'nope' }])
      expect((await as(marketer, 'POST', '/v1/orders', body)).status).toBe(403);
    expect((await s.api('POST', '/v1/points/adjust', undefined, { key: marketer, raw: '{oops' })).status).toBe(403);
  });

  it('gives keys their defaults, shows them, and refuses unknown scopes naming the field', async () => {
    expect((await as(appKey, 'GET', '/v1/me')).body.scopes).toEqual([
      'orders',
      'customers',
      'events',
      'loyalty:read',
      'loyalty:redeem',
      'coupons:claim',
      'identity:trusted',
    ]);
    const bad = await s.api('POST', '/v1/api-keys', {
      name: 'x',
      role: 'integration',
      channel: 'app',
      scopes: ['everything'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toMatch(/^scopes/);
    const keys = (await must(s, 'GET', '/v1/api-keys')).items;
    expect(keys.find((k: { name: string }) => k.name === 'wms').scopes).toEqual(['stock']);
  });
});
