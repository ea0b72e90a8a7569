import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../../test/server';
import { must } from '../../../../test/fixtures/goods';
import type { Tx } from '../../../platform/db/database';
import { earnForOrder } from '../points/service';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const tx = <T>(fn: (t: Tx) => Promise<T>) => db().transaction().execute(fn);
let n = 0;
async function customer(extra: { type: string; value: string }[] = []): Promise<string> {
  const r = await must(s, 'POST', '/v1/identify', {
    channel: 'app',
    identifiers: [{ type: 'phone', value: `1350000${String(++n).padStart(4, '0')}` }, ...extra],
  });
  return r.customer_id as string;
}
const paidOrder = (c: string, ref: string, total = 20_000) =>
  tx((t) =>
    earnForOrder(t, {
      customer_id: c,
      order_ref: ref,
      channel: 'app',
      lines: [{ line_no: 1, sku: 'MILK', category: 'fresh', qty: 1, amount: total }],
      total,
      now: new Date(),
    }),
  );
const balance = async (c: string) => (await must(s, 'GET', `/v1/customers/${c}/points`)).balance as number;

describe('referral', () => {
  it('gives each member one readable invite code, created on first request', async () => {
    const a = await customer();
    const r1 = await must(s, 'GET', `/v1/customers/${a}/referrals`);
    expect(r1.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(r1).toMatchObject({ referred: [], referred_by: null, rewards: { count: 0, points: 0 } });
    expect((await must(s, 'GET', `/v1/customers/${a}/referrals`)).code).toBe(r1.code);
  });

  it("rewards both on the referee's first paid order, once", async () => {
    const a = await customer();
    const { code } = await must(s, 'GET', `/v1/customers/${a}/referrals`);
    const b = await customer();
    const bound = await must(s, 'POST', `/v1/customers/${b}/referrals`, { code: code.toLowerCase() });
    expect(bound.referred_by).toMatchObject({ customer_id: a, code, rewarded_at: null });
    expect((await must(s, 'POST', `/v1/customers/${b}/referrals`, { code })).referred_by.customer_id).toBe(a); // again: no-op
    await paidOrder(b, `ord_r1_${b}`); // 200 points for the order
    expect(await balance(b)).toBe(200 + 200);
    expect(await balance(a)).toBe(500);
    await paidOrder(b, `ord_r2_${b}`);
    expect(await balance(a)).toBe(500);
    expect(await balance(b)).toBe(400 + 200);
    const view = await must(s, 'GET', `/v1/customers/${a}/referrals`);
    expect(view.referred).toEqual([
      expect.objectContaining({ customer_id: b, order_ref: `ord_r1_${b}`, rewarded_at: expect.any(String) }),
    ]);
    expect(view.rewards).toEqual({ count: 1, points: 500 });
    const events = await db()
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'referral.rewarded')
      .where('aggregate_id', '=', a)
      .execute();
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        referrer_id: a,
        referee_id: b,
        order_ref: `ord_r1_${b}`,
        referrer_points: 500,
        referee_points: 200,
      }),
    ]);
    // b is no longer new; and a third member's code cannot take b over
    const c = await customer();
    const other = await must(s, 'GET', `/v1/customers/${c}/referrals`);
    const late = await s.api('POST', `/v1/customers/${b}/referrals`, { code: other.code });
    expect(late.status).toBe(422);
    expect(late.body.error).toMatchObject({ code: 'already_referred', field: 'code' });
  });

  it('rejects self-referral: the same person, or a new profile sharing a device with the member', async () => {
    const a = await customer([{ type: 'device_id', value: 'tablet-42' }]);
    const { code } = await must(s, 'GET', `/v1/customers/${a}/referrals`);
    const self = await s.api('POST', `/v1/customers/${a}/referrals`, { code });
    expect(self.status).toBe(422);
    expect(self.body.error).toMatchObject({ code: 'self_referral', field: 'code' });
    // a second phone on the same device is another profile (a strong identifier of its own), but the device is shared
    const b = await customer([{ type: 'device_id', value: 'tablet-42' }]);
    expect(b).not.toBe(a);
    const shared = await s.api('POST', `/v1/customers/${b}/referrals`, { code });
    expect(shared.status).toBe(422);
    expect(shared.body.error).toMatchObject({ code: 'self_referral', field: 'code' });
    expect(shared.body.error.message).toContain('device_id');
    await paidOrder(b, `ord_s1_${b}`);
    expect(await balance(a)).toBe(0);
  });

  it('rejects unknown codes and customers who have paid before', async () => {
    const a = await customer();
    const { code } = await must(s, 'GET', `/v1/customers/${a}/referrals`);
    const b = await customer();
    const unknown = await s.api('POST', `/v1/customers/${b}/referrals`, { code: 'ZZZZZZZZ' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_referral_code', field: 'code' });
    await paidOrder(b, `ord_o1_${b}`);
    const old = await s.api('POST', `/v1/customers/${b}/referrals`, { code });
    expect(old.status).toBe(422);
    expect(old.body.error).toMatchObject({ code: 'not_a_new_customer', field: 'code' });
    expect((await s.api('GET', '/v1/customers/cus_nobody/referrals')).status).toBe(404);
  });
});
