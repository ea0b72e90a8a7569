/**
 * Coupon ROI (GET /v1/analytics/coupons): the definitions on a hand-built history to the fen, the
 * figures against a direct SQL computation over the coupons and orders, and the rollup kept from
 * events equal to a rebuild after random orders, coupons, till redemptions, cancellations and returns.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { rebuildSalesRollups } from './rollup';
import { rng } from '../../../test/fixtures/random';

const TZ = 'Asia/Shanghai';
let s: TestServer;
let cust: string;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_TIMEZONE: TZ } });
  const stock = { MILK: 800, TV: 800, CHIPS: 800 };
  await setupGoods(s, { dc1: stock, near: stock, mid: stock, far: stock });
  cust = (
    await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: '+8613822220000' }], channel: 'pos' })
  ).customer_id;
});
afterAll(async () => s?.close());

const db = () => s.santong.ctx.database.db;
const rebuild = () => rebuildSalesRollups(s.santong.ctx.database, TZ);
const report = (from: string, to: string) => must(s, 'GET', `/v1/analytics/coupons?from=${from}&to=${to}`);

// ---------------------------------------------------------------------------------------------
// A hand-built history in March 2025 (Shanghai, UTC+8), written as the loyalty and orders modules store it.

async function template(id: string, name: string): Promise<void> {
  await sql`INSERT INTO coupon_templates (id, name, kind, value, channels, valid_to)
    VALUES (${id}, ${name}, 'amount_off', 500, '{app,pos,web}', '2099-01-01T00:00:00Z')`.execute(db());
}

async function coupon(code: string, templateId: string, issuedAt: string): Promise<void> {
  await sql`INSERT INTO coupons (code, template_id, customer_id, via, issued_at, valid_from, valid_to)
    VALUES (${code}, ${templateId}, ${cust}, 'issue', ${issuedAt}, ${issuedAt}, '2099-01-01T00:00:00Z')`.execute(db());
}

async function redemption(
  code: string,
  templateId: string,
  orderRef: string,
  amount: number,
  at: string,
  restored = false,
) {
  await sql`INSERT INTO coupon_redemptions (code, template_id, order_ref, channel, location_id, amount, redeemed_at, restored_at)
    VALUES (${code}, ${templateId}, ${orderRef}, 'pos', 'near', ${amount}, ${at}, ${restored ? at : null})`.execute(
    db(),
  );
}

async function order(
  id: string,
  channel: string,
  status: string,
  at: string,
  lines: { sku: string; qty: number; price: number; coupon?: number; points?: number }[],
): Promise<void> {
  const ls = lines.map((l, i) => ({
    ...l,
    line_no: i + 1,
    coupon: l.coupon ?? 0,
    points: l.points ?? 0,
    amount: l.price * l.qty - (l.coupon ?? 0) - (l.points ?? 0),
  }));
  const subtotal = ls.reduce((t, l) => t + l.price * l.qty, 0);
  const discount = ls.reduce((t, l) => t + l.coupon + l.points, 0);
  const type = channel === 'pos' ? 'in_store' : 'pickup';
  await sql`INSERT INTO orders (id, channel, customer_id, location_id, fulfillment_type, status, subtotal, discount_total,
      coupon_discount, points_discount, delivery_fee, total, placed_at, paid_at)
    VALUES (${id}, ${channel}, ${cust}, 'near', ${type}, ${status}, ${subtotal}, ${discount},
      ${ls.reduce((t, l) => t + l.coupon, 0)}, ${ls.reduce((t, l) => t + l.points, 0)}, 0, ${subtotal - discount}, ${at},
      ${status === 'pending_payment' ? null : at})`.execute(db());
  for (const l of ls)
    await sql`INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price, discount, amount, coupon_discount, points_discount)
      VALUES (${id}, ${l.line_no}, ${l.sku}, ${l.qty}, ${l.price}, ${l.coupon + l.points}, ${l.amount}, ${l.coupon}, ${l.points})`.execute(
      db(),
    );
}

async function orderReturn(id: string, orderId: string, at: string, sku: string, qty: number, amount: number) {
  await sql`INSERT INTO order_returns (id, order_id, location_id, reason, refund_amount, created_at)
    VALUES (${id}, ${orderId}, 'near', 'fixture', ${amount}, ${at})`.execute(db());
  await sql`INSERT INTO order_return_lines (return_id, sku, qty, amount) VALUES (${id}, ${sku}, ${qty}, ${amount})`.execute(
    db(),
  );
  await sql`UPDATE orders SET refunded_total = refunded_total + ${amount} WHERE id = ${orderId}`.execute(db());
}

const figures = (issued: number, redeemed: number, discount: number, orders: number, net: number) => ({
  issued,
  redeemed,
  redemption_rate: issued > 0 ? Math.round((redeemed / issued) * 10000) / 10000 : null,
  discount,
  orders,
  net_sales: net,
  roi: discount > 0 ? Math.round((net / discount) * 100) / 100 : null,
});

describe('coupon ROI: the definitions on a hand-built history, to the fen', () => {
  beforeAll(async () => {
    await template('fx-t1', '满100减2');
    await template('fx-t2', '九折');
    await template('fx-t3', '从未使用');
    // issued on 10 March (Shanghai) but c6 at 23:00 on the 9th
    for (const c of ['FXC1', 'FXC2', 'FXC3', 'FXC4', 'FXC5']) await coupon(c, 'fx-t1', '2025-03-09T20:00:00Z');
    await coupon('FXC6', 'fx-t1', '2025-03-09T15:00:00Z');
    await coupon('FXC7', 'fx-t2', '2025-03-10T01:00:00Z');
    await coupon('FXC8', 'fx-t2', '2025-03-10T01:00:00Z');
    // a: paid app pickup with c1 (200 off the milk) and points; half the milk returned on the 12th
    await order('fx-a', 'app', 'paid', '2025-03-10T02:00:00Z', [
      { sku: 'MILK', qty: 2, price: 1290, coupon: 200, points: 100 },
      { sku: 'CHIPS', qty: 1, price: 999 },
    ]);
    await redemption('FXC1', 'fx-t1', 'fx-a', 200, '2025-03-10T02:00:00Z');
    await orderReturn('fx-ra', 'fx-a', '2025-03-12T03:00:00Z', 'MILK', 1, 1140);
    // c: paid then cancelled, its coupon given back: not counted
    await order('fx-c', 'web', 'cancelled', '2025-03-10T03:00:00Z', [
      { sku: 'MILK', qty: 1, price: 1290, coupon: 100 },
    ]);
    await redemption('FXC2', 'fx-t1', 'fx-c', 100, '2025-03-10T03:00:00Z', true);
    // d: awaiting payment: not (yet) counted
    await order('fx-d', 'app', 'pending_payment', '2025-03-10T04:00:00Z', [
      { sku: 'CHIPS', qty: 1, price: 999, coupon: 300 },
    ]);
    await redemption('FXC3', 'fx-t1', 'fx-d', 300, '2025-03-10T04:00:00Z');
    // e: a till sale at 20:00 on the 10th with two coupons (t2 250, t1 200)
    await order('fx-e', 'pos', 'completed', '2025-03-10T12:00:00Z', [
      { sku: 'TV', qty: 1, price: 399900, coupon: 450 },
    ]);
    await redemption('FXC7', 'fx-t2', 'fx-e', 250, '2025-03-10T12:00:00Z');
    await redemption('FXC4', 'fx-t1', 'fx-e', 200, '2025-03-10T12:00:00Z');
    // at a till for a document Santong does not know, on the 11th (09:00 Shanghai)
    await redemption('FXC5', 'fx-t1', 'POS-DOC-9', 500, '2025-03-11T01:00:00Z');
    // at a till for order e, after it was placed: a till redemption on the 11th, no order of its own
    await redemption('FXC8', 'fx-t2', 'fx-e', 100, '2025-03-11T02:00:00Z');
    await rebuild();
  });

  it('per template: issued, redeemed, rate, discount cost, orders and their net sales, roi', async () => {
    const r = await report('2025-03-01', '2025-03-31');
    expect(r.currency).toBe('CNY');
    expect(r.timezone).toBe(TZ);
    const byId = Object.fromEntries(r.templates.map((t: { template_id: string }) => [t.template_id, t]));
    // t1: issued 6; redeemed c1 (a), c4 (e), c5 (till); a's net 2580 − 300 + 999 = 3279, less 1140 refunded; e's 399450
    expect(byId['fx-t1']).toEqual({
      template_id: 'fx-t1',
      name: '满100减2',
      kind: 'amount_off',
      status: 'active',
      ...figures(6, 3, 900, 2, 3279 - 1140 + 399450),
    });
    expect(byId['fx-t1'].redemption_rate).toBe(0.5);
    expect(byId['fx-t1'].roi).toBe(446.21);
    // t2: c7 at checkout on e, c8 at the till afterwards
    expect(byId['fx-t2']).toMatchObject(figures(2, 2, 350, 1, 399450));
    expect(byId['fx-t2'].roi).toBe(1141.29);
    expect(byId['fx-t3']).toMatchObject(figures(0, 0, 0, 0, 0));
    expect(byId['fx-t3'].redemption_rate).toBeNull();
    expect(r.templates.map((t: { template_id: string }) => t.template_id)).toEqual(['fx-t1', 'fx-t2', 'fx-t3']);
    expect(r.totals).toEqual(figures(8, 5, 1250, 3, 401589 + 399450));
  });

  it('dates issues, sales and till redemptions by their own day, refunds by the return', async () => {
    const t1 = async (from: string, to: string) =>
      (await report(from, to)).templates.find((t: { template_id: string }) => t.template_id === 'fx-t1');
    expect(await t1('2025-03-09', '2025-03-09')).toMatchObject(figures(1, 0, 0, 0, 0));
    expect(await t1('2025-03-10', '2025-03-10')).toMatchObject(figures(5, 2, 400, 2, 3279 + 399450));
    expect(await t1('2025-03-11', '2025-03-11')).toMatchObject(figures(0, 1, 500, 0, 0));
    expect(await t1('2025-03-12', '2025-03-12')).toMatchObject(figures(0, 0, 0, 0, -1140));
  });

  it('refuses a bad range naming the field', async () => {
    const r = await s.api('GET', '/v1/analytics/coupons?from=2025-03-10&to=2025-03-01');
    expect([r.status, r.body.error.field]).toEqual([400, 'to']);
    expect((await s.api('GET', '/v1/analytics/coupons?from=2025-02-30&to=2025-03-01')).body.error.field).toBe('from');
    expect(
      (
        await s.api('GET', '/v1/analytics/coupons?from=2025-03-01&to=2025-03-02', undefined, {
          key: await s.keyFor('store_staff', { location_id: 'near' }),
        })
      ).status,
    ).toBe(403);
  });
});

// ---------------------------------------------------------------------------------------------

async function drain() {
  for (let i = 0; i < 50; i++) if ((await s.santong.ctx.dispatcher.runOnce()).fannedOut === 0) return;
}

const snapshot = async () =>
  JSON.stringify(
    (
      await sql`SELECT day::text AS day, template_id, issued, redeemed, discount::text AS discount, orders, net_sales::text AS net_sales
        FROM analytics_coupon_daily ORDER BY day, template_id`.execute(db())
    ).rows,
  );

/** The figures straight from the coupons, redemptions and orders, by template, over [from, to]. */
async function direct(from: string, to: string) {
  const inRange = (col: string) =>
    sql`(${sql.ref(col)} AT TIME ZONE ${TZ})::date BETWEEN ${from}::date AND ${to}::date`;
  const rows = (
    await sql<{ template_id: string; issued: string; redeemed: string; discount: string; orders: string; net: string }>`
      WITH checkout AS (
        SELECT r.template_id, r.amount, o.id AS order_id, o.placed_at
        FROM coupon_redemptions r JOIN orders o ON o.id = r.order_ref AND r.redeemed_at <= o.placed_at
        WHERE o.status NOT IN ('pending_payment', 'cancelled', 'expired')),
      till AS (
        SELECT r.template_id, r.amount, r.redeemed_at FROM coupon_redemptions r
        WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.order_ref AND r.redeemed_at <= o.placed_at)),
      used AS (SELECT DISTINCT template_id, order_id, placed_at FROM checkout)
      SELECT t.id AS template_id,
        (SELECT count(*) FROM coupons c WHERE c.template_id = t.id AND ${inRange('c.issued_at')})::text AS issued,
        ((SELECT count(*) FROM checkout k WHERE k.template_id = t.id AND ${inRange('k.placed_at')})
          + (SELECT count(*) FROM till k WHERE k.template_id = t.id AND ${inRange('k.redeemed_at')}))::text AS redeemed,
        ((SELECT coalesce(sum(k.amount), 0) FROM checkout k WHERE k.template_id = t.id AND ${inRange('k.placed_at')})
          + (SELECT coalesce(sum(k.amount), 0) FROM till k WHERE k.template_id = t.id AND ${inRange('k.redeemed_at')}))::text AS discount,
        (SELECT count(*) FROM used u WHERE u.template_id = t.id AND ${inRange('u.placed_at')})::text AS orders,
        ((SELECT coalesce(sum(l.amount), 0) FROM used u JOIN order_lines l ON l.order_id = u.order_id
            WHERE u.template_id = t.id AND ${inRange('u.placed_at')})
          - (SELECT coalesce(sum(rl.amount), 0) FROM used u JOIN order_returns rr ON rr.order_id = u.order_id
               JOIN order_return_lines rl ON rl.return_id = rr.id WHERE u.template_id = t.id AND ${inRange('rr.created_at')}))::text AS net
      FROM coupon_templates t ORDER BY t.id`.execute(db())
  ).rows;
  return rows.map((r) => ({
    template_id: r.template_id,
    ...figures(Number(r.issued), Number(r.redeemed), Number(r.discount), Number(r.orders), Number(r.net)),
  }));
}

describe('the coupon rollup from events', () => {
  const SEED = Number(process.env.ANALYTICS_SEED ?? 20261205);
  const PHONES = ['+8613900000001', '+8613900000002', '+8613900000003'];

  beforeAll(async () => {
    const rand = rng(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const templates: string[] = [];
    for (const [i, value] of [300, 500, 800].entries())
      templates.push(
        (
          await must(s, 'POST', '/v1/coupon-templates', {
            name: `随机券 ${i}`,
            kind: 'amount_off',
            value,
            channels: ['online', 'store'],
            valid_from: '2026-01-01T00:00:00Z',
            valid_to: '2099-01-01T00:00:00Z',
            per_customer_limit: 1000,
            restore_on_cancel: i !== 1,
          })
        ).id,
      );
    const people: string[] = [];
    for (const phone of PHONES)
      people.push(
        (await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: phone }], channel: 'pos' }))
          .customer_id,
      );
    const sold: { id: string; sku: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const who = Math.floor(rand() * PHONES.length);
      const code = (
        await must(s, 'POST', '/v1/coupons/issue', { template_id: pick(templates), customer: { id: people[who] } })
      ).code;
      if (rand() < 0.2) continue; // issued, never used
      if (rand() < 0.15) {
        // at a till, for a document Santong does not know
        await must(s, 'POST', `/v1/coupons/${code}/redeem`, {
          order_ref: `POS-${i}`,
          channel: 'pos',
          location_id: 'near',
          amount: 100,
        });
        continue;
      }
      const channel = pick(['app', 'web', 'pos'] as const);
      const sku = pick(['MILK', 'TV', 'CHIPS']);
      const placed = await s.api('POST', '/v1/orders', {
        channel,
        customer: { type: 'phone', value: PHONES[who] },
        lines: [{ sku, qty: 1 + Math.floor(rand() * 3) }],
        coupon_codes: [code],
        fulfillment:
          channel === 'pos'
            ? { type: 'in_store', location_id: pick(['near', 'mid', 'far']) }
            : rand() < 0.5
              ? { type: 'pickup', location_id: 'near' }
              : delivery('standard'),
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      const o = placed.body;
      if (o.status === 'pending_payment') {
        const r = rand();
        if (r < 0.7) {
          await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
          sold.push({ id: o.id, sku });
        } else if (r < 0.85) await must(s, 'POST', `/v1/orders/${o.id}/cancel`, { reason: 'changed mind' });
      } else sold.push({ id: o.id, sku });
      if (rand() < 0.3) await drain();
    }
    for (const o of sold) {
      if (rand() < 0.4)
        await must(s, 'POST', `/v1/orders/${o.id}/returns`, {
          lines: [{ sku: o.sku, qty: 1 }],
          location_id: 'near',
          reason: 'random return',
        });
      if (rand() < 0.2) await s.api('POST', `/v1/orders/${o.id}/cancel`, { reason: 'late cancel' });
      if (rand() < 0.2) await drain();
    }
    await drain();
  });

  it('maintained incrementally, equals a rebuild (seed in ANALYTICS_SEED)', async () => {
    const incremental = await snapshot();
    expect(incremental).toContain('"redeemed":1');
    await rebuild();
    expect(await snapshot()).toBe(incremental);
  });

  it('agrees with a direct SQL computation over the coupons and orders', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    for (const [from, to] of [
      ['2025-03-01', today],
      ['2025-03-10', '2025-03-12'],
      [today, today],
    ]) {
      const api = await report(from, to);
      const got = [...api.templates].sort((a: { template_id: string }, b: { template_id: string }) =>
        a.template_id < b.template_id ? -1 : 1,
      );
      const want = await direct(from, to);
      expect(
        got.map((t: Record<string, unknown>) => ({
          template_id: t.template_id,
          issued: t.issued,
          redeemed: t.redeemed,
          redemption_rate: t.redemption_rate,
          discount: t.discount,
          orders: t.orders,
          net_sales: t.net_sales,
          roi: t.roi,
        })),
      ).toEqual(want);
    }
    const all = await report('2025-03-01', today);
    expect(all.totals.redeemed).toBeGreaterThan(5);
  });
});
