import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/server';
import { must } from '../../../../test/fixtures/goods';
import type { Tx } from '../../../platform/db/database';
import { earnForOrder, redeemPoints, reverseForReturn } from './service';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
});
afterAll(async () => s?.close());

let n = 0;
async function customer(): Promise<string> {
  const r = await must(s, 'POST', '/v1/identify', {
    channel: 'app',
    identifiers: [{ type: 'phone', value: `1370000${String(++n).padStart(4, '0')}` }],
  });
  return r.customer_id as string;
}
const tx = <T>(fn: (t: Tx) => Promise<T>) => s.santong.ctx.database.db.transaction().execute(fn);

describe('points over HTTP', () => {
  it('earns for acts from the rules, once per ref, and shows balance, expiring points and history', async () => {
    const c = await customer();
    const r = await s.api('POST', '/v1/points/earn', {
      customer: { id: c },
      act: 'review',
      reason: 'review of MILK',
      ref: 'rev-1',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ customer_id: c, points: 10, balance: 10, replayed: false });
    const again = await must(s, 'POST', '/v1/points/earn', {
      customer: { id: c },
      act: 'review',
      reason: 'review of MILK',
      ref: 'rev-1',
    });
    expect(again).toMatchObject({ points: 10, balance: 10, replayed: true });
    await must(s, 'POST', '/v1/points/earn', {
      customer: { id: c },
      points: 55,
      reason: 'store opening game',
      ref: 'game-7',
    });
    const unknown = await s.api('POST', '/v1/points/earn', {
      customer: { id: c },
      act: 'dance',
      reason: 'x',
      ref: 'x',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_act', field: 'act' });
    const view = await must(s, 'GET', `/v1/customers/${c}/points`);
    expect(view.balance).toBe(65);
    expect(view.expiring_soon).toEqual({ points: 0, items: [] });
    expect(view.history.items.map((i: { kind: string; points: number }) => [i.kind, i.points])).toEqual([
      ['earn', 55],
      ['earn', 10],
    ]);
    expect(view.history.items[0].expires_at).toMatch(/T16:00:00.000Z$/); // midnight in Shanghai, first of a month
    const paged = await must(s, 'GET', `/v1/customers/${c}/points?limit=1`);
    expect(paged.history.items).toHaveLength(1);
    const next = await must(s, 'GET', `/v1/customers/${c}/points?limit=1&cursor=${paged.history.next_cursor}`);
    expect(next.history.items[0].points).toBe(10);
    expect(next.history.next_cursor).toBeNull();
  });

  it('lists points expiring in the next 30 days with their dates', async () => {
    const c = await customer();
    const now = new Date();
    const earnedAt = new Date(now.getTime() - 366 * 86400_000); // expires at the end of this month or next
    await tx((t) =>
      earnForOrder(t, {
        customer_id: c,
        order_ref: `ord_old_${c}`,
        channel: 'pos',
        lines: [{ line_no: 1, sku: 'A', category: 'x', qty: 1, amount: 12_345 }],
        total: 12_345,
        now: earnedAt,
      }),
    );
    const view = await must(s, 'GET', `/v1/customers/${c}/points`);
    const exp = new Date(view.history.items[0].expires_at).getTime();
    if (exp - now.getTime() <= 30 * 86400_000)
      expect(view.expiring_soon).toEqual({
        points: 123,
        items: [{ expires_at: view.history.items[0].expires_at, points: 123 }],
      });
    else expect(view.expiring_soon.points).toBe(0);
  });

  it('adjusts with a reason (audited); 422 when the balance would go negative', async () => {
    const c = await customer();
    const support = await s.keyFor('support');
    const up = await s.api(
      'POST',
      '/v1/points/adjust',
      { customer: { id: c }, points: 300, reason: 'goodwill: late delivery' },
      { key: support },
    );
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ customer_id: c, points: 300, balance: 300 });
    const down = await s.api(
      'POST',
      '/v1/points/adjust',
      { customer: { id: c }, points: -301, reason: 'mistake' },
      { key: support },
    );
    expect(down.status).toBe(422);
    expect(down.body.error).toMatchObject({ code: 'insufficient_points', field: 'points', balance: 300 });
    const zero = await s.api('POST', '/v1/points/adjust', { customer: { id: c }, points: 0, reason: 'nothing' });
    expect(zero.status).toBe(422);
    expect(zero.body.error.field).toBe('points');
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: c }, points: -100, reason: 'double credit' });
    expect((await must(s, 'GET', `/v1/customers/${c}/points`)).balance).toBe(200);
    const audit = await must(s, 'GET', `/v1/audit?action=points.adjust&subject=${c}`);
    expect(audit.items.map((a: { reason: string }) => a.reason).sort()).toEqual([
      'double credit',
      'goodwill: late delivery',
    ]);
    const marketer = await s.keyFor('marketer');
    expect(
      (await s.api('POST', '/v1/points/adjust', { customer: { id: c }, points: 1, reason: 'x' }, { key: marketer }))
        .status,
    ).toBe(403);
    const analyst = await s.keyFor('analyst');
    expect((await s.api('GET', `/v1/customers/${c}/points`, undefined, { key: analyst })).status).toBe(403);
    expect((await s.api('GET', '/v1/customers/cus_nobody/points')).status).toBe(404);
  });

  it('shows a reversal of spent points with what could not be recovered', async () => {
    const c = await customer();
    const now = new Date();
    await tx((t) =>
      earnForOrder(t, {
        customer_id: c,
        order_ref: `ord_a_${c}`,
        channel: 'app',
        lines: [{ line_no: 1, sku: 'A', category: 'x', qty: 2, amount: 50_000 }],
        total: 50_000,
        now,
      }),
    );
    await tx((t) => redeemPoints(t, { customer_id: c, points: 400, order_ref: `ord_b_${c}`, now }));
    const r = await tx((t) =>
      reverseForReturn(t, {
        order_ref: `ord_a_${c}`,
        return_ref: `ret_${c}`,
        lines: [{ line_no: 1, qty: 2, already_returned: 0, returning: 2, points_used: 0 }],
        refund: 50_000,
        now,
      }),
    );
    expect(r).toEqual({ reversed: 100, restored: 0, unrecovered: 400 });
    const view = await must(s, 'GET', `/v1/customers/${c}/points`);
    expect(view.balance).toBe(0);
    expect(view.history.items[0]).toMatchObject({
      kind: 'reverse',
      reverses: 'earn',
      points: -100,
      unrecovered: 400,
      source: 'return',
      order_ref: `ord_a_${c}`,
    });
  });

  it('shows tier and points in the 360° profile', async () => {
    const c = await customer();
    await must(s, 'POST', '/v1/points/adjust', { customer: { id: c }, points: 42, reason: 'welcome' });
    const p = await must(s, 'GET', `/v1/customers/${c}`);
    expect(p.loyalty).toEqual({
      tier: {
        code: 'member',
        name: 'Member',
        display_name: { 'zh-CN': '普通会员', en: 'Member' },
        multiplier: 1,
        spend_12m: 0,
        next: {
          code: 'silver',
          name: 'Silver',
          display_name: { 'zh-CN': '银卡会员', en: 'Silver' },
          min_spend: 200000,
        },
      },
      points: { balance: 42, expiring_soon: { points: 0, items: [] } },
    });
  });
});

describe('loyalty rules', () => {
  it('reads the defaults and changes fields, naming the field of a bad value', async () => {
    const r = await must(s, 'GET', '/v1/loyalty/rules');
    expect(r).toMatchObject({
      points_per_yuan_redeem: 100,
      redeem_cap_percent: 50,
      expiry_months: 12,
      earn_per_yuan: 1,
    });
    const put = await must(s, 'PUT', '/v1/loyalty/rules', {
      channel_multipliers: { app: 2 },
      acts: { packaging_return: 30, review: 10 },
      referral: { referee_points: 300 },
    });
    expect(put).toMatchObject({
      channel_multipliers: { app: 2 },
      redeem_cap_percent: 50,
      referral: { referee_points: 300, referrer_points: 500 },
    });
    const badChannel = await s.api('PUT', '/v1/loyalty/rules', { channel_multipliers: { tv: 2 } });
    expect(badChannel.status).toBe(422);
    expect(badChannel.body.error.field).toBe('channel_multipliers.tv');
    const badCap = await s.api('PUT', '/v1/loyalty/rules', { redeem_cap_percent: 150 });
    expect(badCap.status).toBe(400);
    expect(badCap.body.error.field).toBe('redeem_cap_percent');
    const c = await customer();
    await tx((t) =>
      earnForOrder(t, {
        customer_id: c,
        order_ref: `ord_app_${c}`,
        channel: 'app',
        lines: [{ line_no: 1, sku: 'A', category: 'x', qty: 1, amount: 1_290 }],
        total: 1_290,
        now: new Date(),
      }),
    );
    expect((await must(s, 'GET', `/v1/customers/${c}/points`)).balance).toBe(25); // floor(12.9 × 2)
    const marketer = await s.keyFor('marketer');
    expect((await s.api('PUT', '/v1/loyalty/rules', { earn_per_yuan: 5 }, { key: marketer })).status).toBe(403);
    await must(s, 'PUT', '/v1/loyalty/rules', { channel_multipliers: {} });
  });
});
