import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../../test/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
});
afterAll(async () => s?.close());

const window = { valid_from: '2026-01-01T00:00:00Z', valid_to: '2030-01-01T00:00:00Z' };
const base = { name: 'T', channels: ['online'], ...window };

async function rejects(body: Record<string, unknown>, field: string, status = 422) {
  const r = await s.api('POST', '/v1/coupon-templates', body);
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.field).toBe(field);
}

describe('coupon templates', () => {
  it('creates each kind, expanding channel groups', async () => {
    const t = await must(s, 'POST', '/v1/coupon-templates', {
      ...base,
      name: '满99减20',
      kind: 'threshold',
      value: 2000,
      min_spend: 9900,
      budget: 1000,
    });
    expect(t).toMatchObject({
      kind: 'threshold',
      value: 2000,
      min_spend: 9900,
      channels: ['app', 'mini_program', 'web', 'group_buy'],
      budget: 1000,
      issued: 0,
      redeemed: 0,
      per_customer_limit: 1,
      restore_on_cancel: true,
      stackable: false,
      status: 'active',
    });
    const p = await must(s, 'POST', '/v1/coupon-templates', {
      name: '9折',
      kind: 'percent_off',
      value: 10,
      cap: 3000,
      channels: ['online', 'store'],
      valid_days_after_claim: 30,
    });
    expect(p).toMatchObject({
      channels: ['app', 'mini_program', 'web', 'pos', 'group_buy'],
      cap: 3000,
      valid_days_after_claim: 30,
      valid_to: null,
    });
    const st = await must(s, 'POST', '/v1/coupon-templates', {
      ...base,
      name: '10元',
      kind: 'amount_off',
      value: 1000,
      channels: ['store'],
      locations: ['near', 'mid'],
    });
    expect(st).toMatchObject({ channels: ['pos'], locations: ['near', 'mid'] });
    await must(s, 'POST', '/v1/coupon-templates', { ...base, name: '包邮', kind: 'free_delivery' });
    const g = await must(s, 'POST', '/v1/coupon-templates', {
      ...base,
      name: 'gift',
      kind: 'gift',
      gift_sku: 'CHIPS',
      min_spend: 5000,
    });
    expect(g.gift_sku).toBe('CHIPS');

    const list = await must(s, 'GET', '/v1/coupon-templates?limit=2');
    expect(list.items).toHaveLength(2);
    expect(list.items[0].name).toBe('gift');
    const next = await must(s, 'GET', `/v1/coupon-templates?limit=10&cursor=${list.next_cursor}`);
    expect(next.items.map((t: { name: string }) => t.name)).toEqual(['10元', '9折', '满99减20']);
    expect((await must(s, 'GET', `/v1/coupon-templates/${t.id}`)).name).toBe('满99减20');
    expect((await s.api('GET', '/v1/coupon-templates/cpt_nope')).status).toBe(404);
  });

  it('names the field of every rule a template breaks', async () => {
    await rejects({ ...base, kind: 'percent_off', value: 0 }, 'value');
    await rejects({ ...base, kind: 'percent_off', value: 101 }, 'value');
    await rejects({ ...base, kind: 'amount_off' }, 'value');
    await rejects({ ...base, kind: 'amount_off', value: 100, cap: 50 }, 'cap');
    await rejects({ ...base, kind: 'threshold', value: 2000 }, 'min_spend');
    await rejects({ ...base, kind: 'threshold', value: 2000, min_spend: 2000 }, 'min_spend');
    await rejects({ ...base, kind: 'gift' }, 'gift_sku');
    await rejects({ ...base, kind: 'gift', gift_sku: 'NOPE' }, 'gift_sku');
    await rejects({ ...base, kind: 'free_delivery', value: 5 }, 'value');
    await rejects({ ...base, kind: 'amount_off', value: 100, gift_sku: 'CHIPS' }, 'gift_sku');
    await rejects({ ...base, kind: 'amount_off', value: 100, valid_to: '2025-01-01T00:00:00Z' }, 'valid_to');
    await rejects({ name: 'x', channels: ['app'], kind: 'amount_off', value: 100 }, 'valid_to');
    await rejects({ ...base, kind: 'amount_off', value: 100, skus: ['MILK', 'NOPE'] }, 'skus[1]');
    await rejects({ ...base, kind: 'amount_off', value: 100, locations: ['near', 'atlantis'] }, 'locations[1]');
    await rejects({ ...base, kind: 'amount_off', value: 100, categories: ['fresh', 'fresh'] }, 'categories[1]');
    await rejects({ ...base, kind: 'amount_off', value: 100, channels: ['moon'] }, 'channels[0]', 400);
    await rejects({ ...base, kind: 'bogus', value: 100 }, 'kind', 400);
  });

  it('lets marketers create, keeps store staff out, and updates budget and status', async () => {
    const marketer = await s.keyFor('marketer');
    const staff = await s.keyFor('store_staff', { location_id: 'near' });
    const r = await s.api(
      'POST',
      '/v1/coupon-templates',
      { ...base, kind: 'amount_off', value: 500, budget: 10 },
      { key: marketer },
    );
    expect(r.status).toBe(201);
    expect(
      (await s.api('POST', '/v1/coupon-templates', { ...base, kind: 'amount_off', value: 500 }, { key: staff })).status,
    ).toBe(403);
    const u = await s.api(
      'PATCH',
      `/v1/coupon-templates/${r.body.id}`,
      { budget: 20, status: 'paused' },
      { key: marketer },
    );
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ budget: 20, status: 'paused' });
  });
});
