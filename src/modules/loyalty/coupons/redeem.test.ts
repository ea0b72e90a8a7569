/**
 * Validating codes at a till and redeeming them exactly once: a typo is caught by the check
 * symbol, scope and validity are enforced naming the field, and concurrent redemptions of one
 * code through two servers on one database (a real second process on PostgreSQL) have one
 * winner; the others get 409 coupon_already_redeemed. Restores, the timeline and expiry too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../../test/db';
import { must, setupGoods } from '../../../../test/fixtures/goods';
import { startSecondProcess, type Remote } from '../../../../test/second-process';
import { startTestServer, type TestServer } from '../../../../test/server';
import { CODE_ALPHABET } from './codes';
import { expireCoupons } from './expiry';
import { couponsForCheckout, issueCoupon, redeemForOrder, restoreForOrder, usableCoupons } from './service';

let s: TestServer;
let cust: string;
let other: string;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
  cust = (
    await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: '+8613811110000' }], channel: 'pos' })
  ).customer_id;
  other = (
    await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: '+8613811110001' }], channel: 'pos' })
  ).customer_id;
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const window = { valid_from: '2026-01-01T00:00:00Z', valid_to: '2099-01-01T00:00:00Z' };

async function coupon(extra: Record<string, unknown> = {}, to = cust): Promise<string> {
  const t = await must(s, 'POST', '/v1/coupon-templates', {
    name: '10元',
    kind: 'amount_off',
    value: 1000,
    channels: ['online', 'store'],
    ...window,
    per_customer_limit: 100,
    ...extra,
  });
  return (await must(s, 'POST', '/v1/coupons/issue', { template_id: t.id, customer: { id: to } })).code;
}

function typo(code: string, pos = 5): string {
  const sym = CODE_ALPHABET[(CODE_ALPHABET.indexOf(code[pos]) + 1) % 32];
  return code.slice(0, pos) + sym + code.slice(pos + 1);
}

const redeem = (code: string, body: Record<string, unknown> = {}, key?: string) =>
  s.api(
    'POST',
    `/v1/coupons/${code}/redeem`,
    { order_ref: 'POS-1', channel: 'pos', location_id: 'near', amount: 1000, ...body },
    key ? { key } : {},
  );

describe('validating a code at the till', () => {
  it('shows status, template, validity, owner and whether it is usable here; a typo is 422 naming code', async () => {
    const code = await coupon({ channels: ['store'], locations: ['near'] });
    const staff = await s.keyFor('store_staff', { location_id: 'near' });
    const r = await s.api('GET', `/v1/coupons/${code.toLowerCase().match(/.{4}/g)!.join('-')}`, undefined, {
      key: staff,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      code,
      status: 'issued',
      customer_id: cust,
      usable: true,
      reason: null,
      template: { kind: 'amount_off', value: 1000, channels: ['pos'], locations: ['near'] },
      redemption: null,
    });
    expect(r.body.valid_to).toBe('2099-01-01T00:00:00.000Z');
    expect(JSON.stringify(r.body)).not.toContain('13811110000');
    expect((await must(s, 'GET', `/v1/coupons/${code}?channel=pos&location_id=mid`)).reason).toBe('wrong_location');
    expect((await must(s, 'GET', `/v1/coupons/${code}?channel=app`)).reason).toBe('wrong_channel');

    const bad = await s.api('GET', `/v1/coupons/${typo(code)}`, undefined, { key: staff });
    expect([bad.status, bad.body.error.code, bad.body.error.field]).toEqual([422, 'invalid_coupon_code', 'code']);
    expect((await s.api('GET', `/v1/coupons/${code.slice(0, -2)}`)).body.error.field).toBe('code');
    // a well-formed code nobody was given
    const body = code.slice(0, 15) === '000000000000000' ? '000000000000001' : '000000000000000';
    const { checkSymbol } = await import('./codes');
    expect((await s.api('GET', `/v1/coupons/${body + checkSymbol(body)}`)).status).toBe(404);
    expect((await s.api('GET', `/v1/coupons/${code}`, undefined, { key: await s.keyFor('analyst') })).status).toBe(403);
  });
});

describe('redeeming from an external POS', () => {
  it('redeems once, records the redemption, publishes coupon.redeemed; a second try is 409', async () => {
    const code = await coupon();
    const r = await redeem(code, { amount: 800 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      code,
      status: 'redeemed',
      order_ref: 'POS-1',
      channel: 'pos',
      location_id: 'near',
      amount: 800,
    });
    const again = await redeem(code, { order_ref: 'POS-2' });
    expect([again.status, again.body.error.code]).toEqual([409, 'coupon_already_redeemed']);
    const seen = await must(s, 'GET', `/v1/coupons/${code}`);
    expect(seen).toMatchObject({
      status: 'redeemed',
      usable: false,
      reason: 'already_redeemed',
      redemption: { order_ref: 'POS-1', amount: 800, location_id: 'near' },
    });
    expect(
      (await db().selectFrom('outbox').select('type').where('aggregate_id', '=', code).execute()).map((e) => e.type),
    ).toEqual(['coupon.issued', 'coupon.redeemed']);
  });

  it('enforces channel, store, validity and amount, naming the field', async () => {
    const storeOnly = await coupon({ channels: ['store'], locations: ['near'] });
    let r = await redeem(storeOnly, { channel: 'app', location_id: undefined });
    expect([r.status, r.body.error.field]).toEqual([422, 'channel']);
    r = await redeem(storeOnly, { location_id: 'mid' });
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([422, 'coupon_wrong_location', 'location_id']);
    r = await redeem(storeOnly, { location_id: undefined });
    expect([r.status, r.body.error.field]).toEqual([422, 'location_id']);
    r = await redeem(storeOnly, { amount: 1001 });
    expect([r.status, r.body.error.field]).toEqual([422, 'amount']);
    r = await redeem(typo(storeOnly));
    expect([r.status, r.body.error.field]).toEqual([422, 'code']);
    const later = await coupon({ valid_from: '2098-01-01T00:00:00Z' });
    r = await redeem(later);
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([422, 'coupon_not_yet_valid', 'code']);
    // store staff redeem at their own store only; integration keys in their channel only
    const staffMid = await s.keyFor('store_staff', { location_id: 'mid' });
    expect((await redeem(storeOnly, {}, staffMid)).status).toBe(403);
    const appKey = await s.keyFor('integration', { channel: 'app' });
    expect((await redeem(storeOnly, {}, appKey)).status).toBe(403);
    const staffNear = await s.keyFor('store_staff', { location_id: 'near' });
    expect((await redeem(storeOnly, { location_id: undefined }, staffNear)).status).toBe(200);
  });
});

describe('checkout functions', () => {
  it('couponsForCheckout explains problems, redeemForOrder is exactly once, restoreForOrder gives back', async () => {
    const good = await coupon({ channels: ['online'] });
    const mine = await coupon({ channels: ['store'] });
    const theirs = await coupon({}, other);
    const now = new Date();
    const r = await couponsForCheckout(db(), [good, mine, theirs, typo(good), good], {
      members: [cust],
      channel: 'app',
      location_id: null,
      now,
    });
    expect(r.usable.map((c) => c.code)).toEqual([good]);
    expect(r.usable[0]).toMatchObject({
      kind: 'amount_off',
      value: 1000,
      cap: null,
      min_spend: 0,
      gift_sku: null,
      skus: null,
      categories: null,
      stackable: false,
    });
    expect(r.problems.map((p) => [p.index, p.reason])).toEqual([
      [1, 'wrong_channel'],
      [2, 'not_yours'],
      [3, 'not_found'],
      [4, 'already_redeemed'],
    ]);

    await db()
      .transaction()
      .execute((tx) =>
        redeemForOrder(tx, [{ code: good, field: 'coupon_codes[0]', amount: 1000 }], {
          order_ref: 'ord_x1',
          channel: 'app',
          location_id: null,
          now,
        }),
      );
    const twice = await db()
      .transaction()
      .execute((tx) =>
        redeemForOrder(tx, [{ code: good, field: 'coupon_codes[0]', amount: 1000 }], {
          order_ref: 'ord_x2',
          channel: 'app',
          location_id: null,
          now,
        }),
      )
      .catch((e) => e);
    expect([twice.status, twice.code, twice.field]).toEqual([409, 'coupon_already_redeemed', 'coupon_codes[0]']);
    expect(
      await db()
        .transaction()
        .execute((tx) => restoreForOrder(tx, 'ord_x1', new Date())),
    ).toEqual([good]);
    expect(
      await db()
        .transaction()
        .execute((tx) => restoreForOrder(tx, 'ord_x1', new Date())),
    ).toEqual([]);
    expect((await must(s, 'GET', `/v1/coupons/${good}`)).status).toBe('issued');
    const t = await must(s, 'GET', `/v1/coupons/${good}`);
    expect((await must(s, 'GET', `/v1/coupon-templates/${t.template.id}`)).redeemed).toBe(0);
    const noRestore = await coupon({ restore_on_cancel: false });
    await db()
      .transaction()
      .execute((tx) =>
        redeemForOrder(tx, [{ code: noRestore, field: 'coupon_codes[0]', amount: 1 }], {
          order_ref: 'ord_x3',
          channel: 'pos',
          location_id: 'near',
          now,
        }),
      );
    expect(
      await db()
        .transaction()
        .execute((tx) => restoreForOrder(tx, 'ord_x3', new Date())),
    ).toEqual([]);
  });

  it('usableCoupons lists the best first and issueCoupon works inside a caller transaction', async () => {
    const fresh = (
      await must(s, 'POST', '/v1/identify', {
        identifiers: [{ type: 'phone', value: '+8613811110009' }],
        channel: 'app',
      })
    ).customer_id;
    const mk = (b: Record<string, unknown>) =>
      must(s, 'POST', '/v1/coupon-templates', { name: String(b.kind), channels: ['online', 'store'], ...window, ...b });
    const ts = [
      await mk({ kind: 'amount_off', value: 500 }),
      await mk({ kind: 'percent_off', value: 10, cap: 3000 }),
      await mk({ kind: 'threshold', value: 2000, min_spend: 9900 }),
      await mk({ kind: 'free_delivery' }),
      await mk({ kind: 'gift', gift_sku: 'CHIPS' }),
    ];
    for (const t of ts)
      await db()
        .transaction()
        .execute((tx) => issueCoupon(tx, { template_id: t.id, customer_id: fresh, via: 'tier', now: new Date() }));
    const list = await usableCoupons(db(), [fresh], 'app', null, new Date());
    // threshold 2000; 10% of 100 CNY = 1000; gift 999; free delivery 600; 500 off
    expect(list.map((c) => c.kind)).toEqual(['threshold', 'percent_off', 'gift', 'free_delivery', 'amount_off']);
    expect(list[0].valid_to).toBe('2099-01-01T00:00:00.000Z');
  });
});

describe('timeline and expiry', () => {
  it('shows issued and redeemed coupons in the customer timeline, with a working cursor', async () => {
    const c = (
      await must(s, 'POST', '/v1/identify', {
        identifiers: [{ type: 'phone', value: '+8613811110077' }],
        channel: 'app',
      })
    ).customer_id;
    const a = await coupon({}, c);
    const b = await coupon({}, c);
    expect((await redeem(b, { order_ref: 'POS-T' })).status).toBe(200);
    const all = await must(s, 'GET', `/v1/customers/${c}/timeline?types=coupon`);
    expect(all.items.map((i: { type: string; data: { code: string } }) => `${i.type}:${i.data.code}`)).toEqual([
      `redeemed:${b}`,
      `issue:${b}`,
      `issue:${a}`,
    ]);
    expect(all.items[0].data).toMatchObject({ order_ref: 'POS-T', amount: 1000, location_id: 'near', restored: false });
    const asMarketer = await s.api('GET', `/v1/customers/${c}/timeline?types=coupon`, undefined, {
      key: await s.keyFor('marketer'),
    });
    expect(asMarketer.body.items[2].data.code).toBe(`${a.slice(0, 4)}-****-****-${a.slice(12)}`);
    let cursor: string | null = null;
    const paged: string[] = [];
    do {
      const p: { items: { kind: string; type: string }[]; next_cursor: string | null } = await must(
        s,
        'GET',
        `/v1/customers/${c}/timeline?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      paged.push(...p.items.map((i) => `${i.kind}:${i.type}`));
      cursor = p.next_cursor;
    } while (cursor);
    expect(paged.filter((k) => k.startsWith('coupon:'))).toEqual(['coupon:redeemed', 'coupon:issue', 'coupon:issue']);
  });

  it('the expiry job marks coupons past their validity expired', async () => {
    const code = await coupon({ valid_days_after_claim: 1, valid_from: undefined, valid_to: undefined });
    expect(await expireCoupons(db(), new Date(Date.now() + 2 * 86400_000))).toBeGreaterThanOrEqual(1);
    const r = await must(s, 'GET', `/v1/coupons/${code}`);
    expect([r.status, r.reason]).toEqual(['expired', 'expired']);
    expect((await redeem(code)).body.error.code).toBe('coupon_expired');
  });
});

// ---- two servers on one database: a real second process on PostgreSQL, a second server in-process on PGlite ----

async function secondServer(): Promise<Pick<Remote, 'api' | 'stop'>> {
  if (TEST_DB !== 'postgres') {
    const two = await startTestServer({
      testDb: s.testDb,
      startDispatcher: false,
      env: { SANTONG_ADMIN_KEY: s.adminKey },
    });
    return { api: (m, p, b) => two.api(m, p, b, { key: s.adminKey }), stop: () => two.close() };
  }
  return startSecondProcess(s);
}

describe('double redemption across two servers on one database', () => {
  let two: Pick<Remote, 'api' | 'stop'> | null = null;
  beforeAll(async () => {
    two = await secondServer();
  }, 90_000);
  afterAll(async () => two?.stop());

  it('40 concurrent redemptions of one code from two servers and several channels: exactly one wins', async () => {
    const code = await coupon();
    // warm the second server's redeem path
    const warm = await coupon();
    expect(
      (await two!.api('POST', `/v1/coupons/${warm}/redeem`, { order_ref: 'W', channel: 'app', amount: 1 })).status,
    ).toBe(200);
    const bodies = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 0
        ? { order_ref: `POS-${i}`, channel: 'pos', location_id: i % 2 ? 'near' : 'mid', amount: 1000 }
        : { order_ref: `APP-${i}`, channel: i % 3 === 1 ? 'app' : 'mini_program', amount: 1000 },
    );
    const results = await Promise.all(
      bodies.map((b, i) =>
        i % 2 === 0
          ? s.api('POST', `/v1/coupons/${code}/redeem`, b)
          : two!.api('POST', `/v1/coupons/${code}/redeem`, b),
      ),
    );
    const t: Record<string, number> = {};
    for (const r of results)
      t[r.status === 200 ? '200' : `${r.status} ${r.body?.error?.code}`] =
        (t[`${r.status === 200 ? '200' : `${r.status} ${r.body?.error?.code}`}`] ?? 0) + 1;
    expect(t).toEqual({ 200: 1, '409 coupon_already_redeemed': 39 });
    const rows = await db().selectFrom('coupon_redemptions').selectAll().where('code', '=', code).execute();
    expect(rows).toHaveLength(1);
    const winner = results.find((r) => r.status === 200)!;
    expect(rows[0].order_ref).toBe(winner.body.order_ref);
    expect(
      (
        await db()
          .selectFrom('outbox')
          .select('type')
          .where('aggregate_id', '=', code)
          .where('type', '=', 'coupon.redeemed')
          .execute()
      ).length,
    ).toBe(1);
  }, 90_000);
});
