/** The demo retailer's coupons: templates with issued counts that add up, a realistic share redeemed, linked to real orders. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../../test/server';
import { isValidCouponCode } from './codes';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, demo: true });
}, 120_000);
afterAll(async () => s?.close());

describe('demo coupons', () => {
  it('has five templates (and the pre-sale deposit) whose issued counters match their coupons, and a realistic share redeemed', async () => {
    const list = await must(s, 'GET', '/v1/coupon-templates');
    // the five marketing templates, and the demo pre-sale's deposit (an amount off at launch)
    expect(list.items.map((t: { kind: string }) => t.kind).sort()).toEqual([
      'amount_off',
      'amount_off',
      'free_delivery',
      'gift',
      'percent_off',
      'threshold',
    ]);
    const db = s.santong.ctx.database.db;
    const counts = (
      await sql<{
        template_id: string;
        n: string;
        redeemed: string;
      }>`SELECT template_id, count(*)::text AS n, count(*) FILTER (WHERE status = 'redeemed')::text AS redeemed FROM coupons GROUP BY template_id`.execute(
        db,
      )
    ).rows;
    let total = 0;
    let redeemed = 0;
    for (const t of list.items) {
      const c = counts.find((x) => x.template_id === t.id);
      expect(t.issued).toBe(Number(c?.n ?? 0));
      expect(t.redeemed).toBe(Number(c?.redeemed ?? 0));
      total += t.issued;
      redeemed += t.redeemed;
    }
    expect(total).toBeGreaterThan(50);
    expect(redeemed / total).toBeGreaterThan(0.2);
    expect(redeemed / total).toBeLessThan(0.7);
    const store = list.items.find(
      (t: { kind: string; name: string }) => t.kind === 'amount_off' && !t.name.startsWith('预约定金'),
    );
    expect(store.channels).toEqual(['pos']);
    expect(Object.keys(store.redemptions_by_channel)).toEqual(store.redeemed ? ['pos'] : []);
    const threshold = list.items.find((t: { kind: string }) => t.kind === 'threshold');
    expect(Object.keys(threshold.redemptions_by_channel)).not.toContain('pos');
  });

  it('links redeemed coupons to existing orders of the same customer and keeps codes valid', async () => {
    const db = s.santong.ctx.database.db;
    const bad = await sql<{
      n: string;
    }>`SELECT count(*)::text AS n FROM coupons c LEFT JOIN orders o ON o.id = c.order_ref WHERE c.status = 'redeemed' AND (o.id IS NULL OR o.customer_id <> c.customer_id OR o.placed_at < c.issued_at OR o.placed_at >= c.valid_to)`.execute(
      db,
    );
    expect(Number(bad.rows[0].n)).toBe(0);
    const sample = await db
      .selectFrom('coupons')
      .select(['code', 'status', 'customer_id'])
      .orderBy('code')
      .limit(50)
      .execute();
    for (const c of sample) expect(isValidCouponCode(c.code)).toBe(true);
    const redeemed = await db
      .selectFrom('coupons')
      .select(['code', 'order_ref'])
      .where('status', '=', 'redeemed')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect((await must(s, 'GET', `/v1/coupons/${redeemed.code}`)).redemption.order_ref).toBe(redeemed.order_ref);
    // the till view of a customer's coupons
    const someone = sample[0].customer_id;
    expect((await must(s, 'GET', `/v1/coupons?customer_id=${someone}`)).items.length).toBeGreaterThan(0);
  });
});
