import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/server';
import { must } from '../../../../test/fixtures/goods';
import type { Tx } from '../../../platform/db/database';
import { earnForOrder } from '../points/service';
import { evaluateTiers } from './evaluate';
import { tierOf } from './service';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const tx = <T>(fn: (t: Tx) => Promise<T>) => db().transaction().execute(fn);
let n = 0;
async function customer(): Promise<string> {
  const r = await must(s, 'POST', '/v1/identify', {
    channel: 'app',
    identifiers: [{ type: 'phone', value: `1360000${String(++n).padStart(4, '0')}` }],
  });
  return r.customer_id as string;
}
const order = (c: string, ref: string, total: number, now: Date) =>
  tx((t) =>
    earnForOrder(t, {
      customer_id: c,
      order_ref: ref,
      channel: 'pos',
      lines: [{ line_no: 1, sku: 'TV', category: 'appliances', qty: 1, amount: total }],
      total,
      now,
    }),
  );
const tierEvents = async (c: string) =>
  (
    await db()
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'tier.changed')
      .where('aggregate_id', '=', c)
      .orderBy('id')
      .execute()
  ).map((r) => r.payload as Record<string, unknown>);
const MONTH = 30 * 86400_000;

describe('tier rules', () => {
  it('reads the defaults and validates a replacement, naming the field', async () => {
    const r = await must(s, 'GET', '/v1/loyalty/tiers');
    expect(
      r.tiers.map((t: { code: string; min_spend: number; multiplier: number }) => [t.code, t.min_spend, t.multiplier]),
    ).toEqual([
      ['member', 0, 1],
      ['silver', 200000, 1.25],
      ['gold', 800000, 1.5],
    ]);
    const base = r.tiers;
    const first = await s.api('PUT', '/v1/loyalty/tiers', { tiers: [{ ...base[0], min_spend: 5 }, base[1]] });
    expect(first.status).toBe(422);
    expect(first.body.error.field).toBe('tiers[0].min_spend');
    const twice = await s.api('PUT', '/v1/loyalty/tiers', { tiers: [base[0], { ...base[1], code: 'member' }] });
    expect(twice.body.error.field).toBe('tiers[1].code');
    const falling = await s.api('PUT', '/v1/loyalty/tiers', { tiers: [base[0], base[2], base[1]] });
    expect(falling.body.error.field).toBe('tiers[2].min_spend');
    const schema = await s.api('PUT', '/v1/loyalty/tiers', { tiers: [{ ...base[0], multiplier: 'x' }] });
    expect(schema.status).toBe(400);
    expect(schema.body.error.field).toBe('tiers[0].multiplier');
    const marketer = await s.keyFor('marketer');
    expect((await s.api('PUT', '/v1/loyalty/tiers', r, { key: marketer })).status).toBe(403);
    expect(await must(s, 'PUT', '/v1/loyalty/tiers', r)).toEqual(r);
  });

  it('carries a display name per language: the defaults in Chinese and English, kept on replace, shown on the wallet', async () => {
    const r = await must(s, 'GET', '/v1/loyalty/tiers');
    expect(r.tiers.map((t: { display_name?: Record<string, string> }) => t.display_name)).toEqual([
      { 'zh-CN': '普通会员', en: 'Member' },
      { 'zh-CN': '银卡会员', en: 'Silver' },
      { 'zh-CN': '金卡会员', en: 'Gold' },
    ]);
    const renamed = {
      tiers: [
        { ...r.tiers[0], display_name: { 'zh-CN': '会员' } },
        { ...r.tiers[1], display_name: undefined },
        { ...r.tiers[2], display_name: { 'zh-CN': '黑金会员', en: 'Black Gold' } },
      ],
    };
    const saved = await must(s, 'PUT', '/v1/loyalty/tiers', renamed);
    expect(saved.tiers[0].display_name).toEqual({ 'zh-CN': '会员' });
    expect(saved.tiers[1].display_name).toBeUndefined();
    expect((await must(s, 'GET', '/v1/loyalty/tiers')).tiers[2].display_name).toEqual({
      'zh-CN': '黑金会员',
      en: 'Black Gold',
    });
    // The wallet's tier and the next one carry them (the console picks its language, else name).
    const c = await customer();
    const w = await must(s, 'GET', `/v1/customers/${c}/wallet`);
    expect(w.tier).toMatchObject({ code: 'member', name: 'Member', display_name: { 'zh-CN': '会员' } });
    expect(w.tier.next).toMatchObject({ code: 'silver', name: 'Silver' });
    expect(w.tier.next.display_name).toBeUndefined();
    // Unknown languages and empty names are refused, naming the field.
    const lang = await s.api('PUT', '/v1/loyalty/tiers', {
      tiers: [{ ...r.tiers[0], display_name: { fr: 'Membre' } }],
    });
    expect(lang.status).toBe(400);
    expect(lang.body.error.field).toContain('tiers[0].display_name');
    const empty = await s.api('PUT', '/v1/loyalty/tiers', {
      tiers: [{ ...r.tiers[0], display_name: { 'zh-CN': '' } }],
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toContain('tiers[0].display_name');
    expect(await must(s, 'PUT', '/v1/loyalty/tiers', r)).toEqual(r);
  });
});

describe('tiers', () => {
  it('upgrades at once on an order (the new multiplier applies to the next), downgrades by the daily job', async () => {
    const c = await customer();
    const t0 = new Date(Date.now() - 11 * MONTH);
    expect((await order(c, `ord_t1_${c}`, 250_000, t0)).earned).toBe(2500); // member × 1
    expect((await tierOf(db(), [c], t0)).code).toBe('silver');
    expect(await tierEvents(c)).toEqual([
      expect.objectContaining({ customer_id: c, from: 'member', to: 'silver', direction: 'up', spend_12m: 250_000 }),
    ]);
    expect((await order(c, `ord_t2_${c}`, 10_000, new Date(t0.getTime() + 1000))).earned).toBe(125); // silver × 1.25
    const profile = await must(s, 'GET', `/v1/customers/${c}`);
    expect(profile.loyalty.tier).toMatchObject({
      code: 'silver',
      multiplier: 1.25,
      spend_12m: 260_000,
      next: { code: 'gold', min_spend: 800_000 },
    });

    // a year and more later the spend has left the window: the daily job moves the customer down, once a day
    const later = new Date(t0.getTime() + 13 * MONTH);
    const run = await evaluateTiers(s.santong.ctx, later);
    expect(run.ran).toBe(true);
    expect(run.changed).toBeGreaterThanOrEqual(1);
    expect(await evaluateTiers(s.santong.ctx, new Date(later.getTime() + 60_000))).toEqual({ ran: false, changed: 0 });
    expect((await tierOf(db(), [c], later)).code).toBe('member');
    expect((await tierEvents(c)).at(-1)).toMatchObject({
      from: 'silver',
      to: 'member',
      direction: 'down',
      spend_12m: 0,
    });
    const stored = await db()
      .selectFrom('customer_tiers')
      .select('tier')
      .where('customer_id', '=', c)
      .executeTakeFirstOrThrow();
    expect(stored.tier).toBe('member');
  });

  it('keeps the tier while the 12-month spend holds, and counts returns against it', async () => {
    const c = await customer();
    const t0 = new Date(Date.now() - 2 * MONTH);
    await order(c, `ord_k1_${c}`, 300_000, t0);
    const { reverseForReturn } = await import('../points/service');
    await tx((t) =>
      reverseForReturn(t, {
        order_ref: `ord_k1_${c}`,
        return_ref: `ret_k1_${c}`,
        lines: [{ line_no: 1, qty: 1, already_returned: 0, returning: 1, points_used: 0 }],
        refund: 150_000,
        now: new Date(t0.getTime() + 86400_000),
      }),
    );
    expect((await tierOf(db(), [c], new Date(t0.getTime() + 2 * 86400_000))).spend_12m).toBe(150_000);
    const before = (await tierEvents(c)).length;
    // the job's clock only moves forward (it ran for a later day above): evaluate 3 months from now, the order still inside the window
    const at = new Date(Date.now() + 3 * MONTH);
    expect((await evaluateTiers(s.santong.ctx, at)).ran).toBe(true);
    expect((await tierEvents(c)).length).toBe(before + 1); // 150,000 < silver: down to member
    expect(await tierOf(db(), [c], at)).toMatchObject({ code: 'member', spend_12m: 150_000 });
  });

  it('grants the coupons of every tier reached', async () => {
    const tpl = await must(s, 'POST', '/v1/coupon-templates', {
      name: 'Gold welcome',
      kind: 'amount_off',
      value: 2000,
      channels: ['online', 'store'],
      valid_days_after_claim: 30,
    });
    const rules = await must(s, 'GET', '/v1/loyalty/tiers');
    rules.tiers[2].coupon_template_ids = [tpl.id];
    await must(s, 'PUT', '/v1/loyalty/tiers', rules);
    const c = await customer();
    await order(c, `ord_g1_${c}`, 900_000, new Date());
    expect((await tierOf(db(), [c])).code).toBe('gold');
    const coupons = await sql<{
      template_id: string;
      via: string;
    }>`SELECT template_id, via FROM coupons WHERE customer_id = ${c}`.execute(db());
    expect(coupons.rows).toEqual([{ template_id: tpl.id, via: 'tier' }]);
    expect((await tierEvents(c)).at(-1)).toMatchObject({
      to: 'gold',
      coupons: [{ template_id: tpl.id, code: expect.any(String) }],
    });
    rules.tiers[2].coupon_template_ids = [];
    await must(s, 'PUT', '/v1/loyalty/tiers', rules);
  });
});
