/**
 * Issuing and claiming over HTTP: roles, limits, and the contract's concurrency test (hundreds of
 * concurrent claims against a budget of 100 issue exactly 100; a per-customer limit holds under a
 * storm from one customer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../../test/fixtures/goods';
import { startTestServer, type ApiResponse, type TestServer } from '../../../../test/server';

let s: TestServer;
let appKey: string;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
  appKey = await s.keyFor('integration', { channel: 'app' });
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const window = { valid_from: '2026-01-01T00:00:00Z', valid_to: '2099-01-01T00:00:00Z' };

async function template(extra: Record<string, unknown> = {}) {
  return must(s, 'POST', '/v1/coupon-templates', {
    name: 'T',
    kind: 'amount_off',
    value: 500,
    channels: ['online', 'store'],
    ...window,
    ...extra,
  });
}

async function customer(phone: string): Promise<string> {
  return (await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: phone }], channel: 'app' }))
    .customer_id;
}

function tally(rs: ApiResponse[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status >= 400 ? `${r.status} ${r.body?.error?.code}` : String(r.status);
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

describe('issue and claim', () => {
  it('issues a coupon with its validity, counts it, and publishes coupon.issued without personal data', async () => {
    const t = await template({ valid_days_after_claim: 7, valid_from: undefined, valid_to: undefined });
    const c = await customer('+8613900000001');
    const before = Date.now();
    const r = await s.api('POST', '/v1/coupons/issue', { template_id: t.id, customer: { id: c } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(r.body.display).toBe(r.body.code.match(/.{4}/g).join('-'));
    const days = (Date.parse(r.body.valid_to) - Date.parse(r.body.valid_from)) / 86400_000;
    expect(days).toBe(7);
    expect(Date.parse(r.body.valid_from)).toBeGreaterThanOrEqual(before - 1000);
    expect((await must(s, 'GET', `/v1/coupon-templates/${t.id}`)).issued).toBe(1);
    const ev = await db()
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_id', '=', r.body.code)
      .execute();
    expect(ev.map((e) => e.type)).toEqual(['coupon.issued']);
    expect(JSON.stringify(ev[0].payload)).not.toContain('139000');
    // by identifier too, and the customer's list shows it
    const byPhone = await s.api('POST', '/v1/coupons/issue', {
      template_id: (await template()).id,
      customer: { type: 'phone', value: '+8613900000001' },
    });
    expect(byPhone.status).toBe(201);
    expect(byPhone.body.customer_id).toBe(c);
    const list = await must(s, 'GET', `/v1/coupons?customer_id=${c}`);
    expect(list.items.map((x: { code: string }) => x.code).sort()).toEqual([r.body.code, byPhone.body.code].sort());
  });

  it('claims from the app; other channels and roles are refused', async () => {
    const t = await template();
    const c = await customer('+8613900000002');
    const r = await s.api('POST', '/v1/coupons/claim', { template_id: t.id, customer: { id: c } }, { key: appKey });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const row = await db().selectFrom('coupons').selectAll().where('code', '=', r.body.code).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ via: 'claim', channel: 'app', customer_id: c });
    const posKey = await s.keyFor('integration', { channel: 'pos' });
    expect(
      (await s.api('POST', '/v1/coupons/claim', { template_id: t.id, customer: { id: c } }, { key: posKey })).status,
    ).toBe(403);
    expect(
      (
        await s.api(
          'POST',
          '/v1/coupons/claim',
          { template_id: t.id, customer: { id: c }, channel: 'web' },
          { key: appKey },
        )
      ).status,
    ).toBe(403);
    const marketer = await s.keyFor('marketer');
    expect(
      (await s.api('POST', '/v1/coupons/claim', { template_id: t.id, customer: { id: c } }, { key: marketer })).status,
    ).toBe(403);
    expect(
      (await s.api('POST', '/v1/coupons/issue', { template_id: t.id, customer: { id: c } }, { key: marketer })).body
        .error.code,
    ).toBe('coupon_limit_reached');
  });

  it('refuses paused, ended and unknown templates, unknown customers, and a second coupon over the limit', async () => {
    const c = await customer('+8613900000003');
    const paused = await template();
    await must(s, 'PATCH', `/v1/coupon-templates/${paused.id}`, { status: 'paused' });
    let r = await s.api('POST', '/v1/coupons/issue', { template_id: paused.id, customer: { id: c } });
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([
      422,
      'coupon_template_not_claimable',
      'template_id',
    ]);
    const ended = await template({ valid_from: '2020-01-01T00:00:00Z', valid_to: '2021-01-01T00:00:00Z' });
    r = await s.api('POST', '/v1/coupons/claim', { template_id: ended.id, customer: { id: c } }, { key: appKey });
    expect([r.status, r.body.error.code]).toEqual([422, 'coupon_template_not_claimable']);
    r = await s.api('POST', '/v1/coupons/issue', { template_id: 'cpt_nope', customer: { id: c } });
    expect([r.status, r.body.error.field]).toEqual([404, 'template_id']);
    r = await s.api('POST', '/v1/coupons/issue', { template_id: ended.id, customer: { id: 'cus_nope' } });
    expect([r.status, r.body.error.field]).toEqual([422, 'customer.id']);
    const two = await template({ per_customer_limit: 2, budget: 5 });
    expect((await s.api('POST', '/v1/coupons/issue', { template_id: two.id, customer: { id: c } })).status).toBe(201);
    expect((await s.api('POST', '/v1/coupons/issue', { template_id: two.id, customer: { id: c } })).status).toBe(201);
    r = await s.api('POST', '/v1/coupons/issue', { template_id: two.id, customer: { id: c } });
    expect([r.status, r.body.error.code]).toEqual([409, 'coupon_limit_reached']);
    const zero = await template({ budget: 0 });
    r = await s.api('POST', '/v1/coupons/issue', { template_id: zero.id, customer: { id: c } });
    expect([r.status, r.body.error.code]).toEqual([409, 'coupon_budget_exhausted']);
  });

  it('300 concurrent claims by 300 customers against a budget of 100 issue exactly 100', async () => {
    const t = await template({ budget: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 300; i += 30)
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 30 }, (_, k) => customer(`+86137${String(i + k).padStart(8, '0')}`)),
        )),
      );
    const results = await Promise.all(
      ids.map((id) => s.api('POST', '/v1/coupons/claim', { template_id: t.id, customer: { id } }, { key: appKey })),
    );
    expect(tally(results)).toEqual({ 201: 100, '409 coupon_budget_exhausted': 200 });
    const n = await db()
      .selectFrom('coupons')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('template_id', '=', t.id)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(100);
    expect((await must(s, 'GET', `/v1/coupon-templates/${t.id}`)).issued).toBe(100);
    expect(new Set(results.filter((r) => r.status === 201).map((r) => r.body.customer_id)).size).toBe(100);
  }, 120_000);

  it('a per-customer limit of 2 holds under 60 concurrent claims by one customer', async () => {
    const t = await template({ per_customer_limit: 2, budget: 50 });
    const c = await customer('+8613900000004');
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        s.api('POST', '/v1/coupons/claim', { template_id: t.id, customer: { id: c } }, { key: appKey }),
      ),
    );
    expect(tally(results)).toEqual({ 201: 2, '409 coupon_limit_reached': 58 });
    expect((await must(s, 'GET', `/v1/coupon-templates/${t.id}`)).issued).toBe(2);
  }, 60_000);
});
