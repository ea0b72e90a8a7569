import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { transact } from '../../platform/db/transaction';
import type { PublishedEvent } from '../../platform/events/outbox';
import { storeRevenueShares } from './public';
import { applySettlementEvents, nextPeriod, periodOf, shareOf } from './service';

const TZ = 'Asia/Shanghai';
let s: TestServer;
let nearStaff: string;

/** Runs the outbox dispatcher until nothing is left (the credits follow completions through it). */
async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) if ((await s.santong.ctx.dispatcher.runOnce()).fannedOut === 0) return;
}

const COST: Record<string, number | null> = { MILK: 800, TV: 300000, CHIPS: null, SOFA: 50000 };
const PRICE: Record<string, number> = { MILK: 1290, TV: 399900, CHIPS: 999, SOFA: 99900 };

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_TIMEZONE: TZ } });
  const stock = { MILK: 500, TV: 50, CHIPS: 500 };
  await setupGoods(s, { dc1: stock, near: stock, mid: stock, far: stock });
  await must(s, 'POST', '/v1/products', { sku: 'SOFA', name: 'Sofa', category: 'home', list_price: 99900 });
  await must(s, 'PUT', '/v1/stock/dc1/SOFA', { on_hand: 10, safety_stock: 0 });
  // Unit costs through the catalogue API: MILK, TV and SOFA have one, CHIPS none.
  for (const sku of ['MILK', 'TV', 'SOFA']) {
    const p = await must(s, 'GET', `/v1/products/${sku}`);
    const { sku: _sku, updated_at: _u, cost_price: _c, ...rest } = p;
    const updated = await must(s, 'PUT', `/v1/products/${sku}`, { ...rest, cost_price: COST[sku] });
    expect(updated.cost_price).toBe(COST[sku]);
  }
  expect((await must(s, 'GET', '/v1/products/CHIPS')).cost_price).toBeNull();
  nearStaff = await s.keyFor('store_staff', { location_id: 'near' });
}, 120_000);
afterAll(async () => s?.close());

type Line = { sku: string; qty: number };

/** An app pickup order at a store, paid, readied and collected at `at`. */
async function pickup(location: string, lines: Line[], at: string, beforeCollect?: (id: string) => Promise<void>) {
  const o = await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    lines,
    fulfillment: { type: 'pickup', location_id: location },
  });
  const paid = await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
  const f = paid.allocations[0].fulfillment_id;
  await must(s, 'POST', `/v1/fulfillments/${f}/events`, { type: 'ready_for_pickup', at });
  if (beforeCollect) await beforeCollect(o.id);
  await must(s, 'POST', `/v1/fulfillments/${f}/events`, { type: 'collected', at });
  await drain();
  return o.id as string;
}

/** A web delivery order, delivered at `at`; returns its id and the location it went from. */
async function delivered(speed: 'hour' | 'standard', lines: Line[], at: string) {
  const o = await must(s, 'POST', '/v1/orders', { channel: 'web', lines, fulfillment: delivery(speed) });
  const paid = await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
  expect(paid.allocations).toHaveLength(1);
  const f = paid.allocations[0].fulfillment_id;
  await must(s, 'POST', `/v1/fulfillments/${f}/events`, { type: 'out_for_delivery', at });
  await must(s, 'POST', `/v1/fulfillments/${f}/events`, { type: 'delivered', at });
  await drain();
  return { id: o.id as string, from: paid.allocations[0].location_id as string };
}

async function returnUnits(orderId: string, lines: Line[], location = 'near') {
  const r = await must(s, 'POST', `/v1/orders/${orderId}/returns`, {
    lines,
    location_id: location,
    reason: 'changed mind',
  });
  await drain();
  return r;
}

const statement = (period: string, key?: string) =>
  s.api('GET', `/v1/settlements?period=${period}`, undefined, key ? { key } : {}).then((r) => {
    expect(r.status).toBe(200);
    return r.body;
  });
const items = async (period: string, loc: string) => must(s, 'GET', `/v1/settlements/${period}/${loc}`);
const row = (st: { stores: any[] }, loc: string) =>
  st.stores.find((x: { location_id: string }) => x.location_id === loc);

/** What the order was paid for, line by line (from the orders API): the basis computed independently. */
async function expectedBasis(orderId: string, basis: 'margin' | 'net_sales') {
  const o = await must(s, 'GET', `/v1/orders/${orderId}`);
  let b = 0;
  let missing = false;
  for (const l of o.lines as { sku: string; qty: number; amount: number }[]) {
    const cost = COST[l.sku];
    if (basis === 'margin' && cost === null) missing = true;
    b += basis === 'margin' && cost !== null ? l.amount - cost * l.qty : l.amount;
  }
  return { basis: b, missing };
}

const OCT = '2026-10';
let now: string; // the current month in the retailer's time zone
let o1: string; // pickup at near, Oct, margin
let o2: string; // pickup at mid, Oct, CHIPS without cost
let o3: string; // hour delivery from near, Oct

describe('revenue-share setting', () => {
  it('defaults to 30 % of the margin; admin sets it (audited), others may not', async () => {
    expect(await must(s, 'GET', '/v1/settings/revenue-share')).toEqual({ percent: 30, basis: 'margin' });
    const bad = await s.api('PUT', '/v1/settings/revenue-share', { percent: 130, basis: 'margin' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('percent');
    const badBasis = await s.api('PUT', '/v1/settings/revenue-share', { percent: 30, basis: 'profit' });
    expect(badBasis.status).toBe(400);
    expect(JSON.stringify(badBasis.body.error)).toContain('basis');
    const decimals = await s.api('PUT', '/v1/settings/revenue-share', { percent: 12.345, basis: 'margin' });
    expect(decimals.status).toBe(422);
    expect(decimals.body.error.field).toBe('percent');
    expect(
      (await s.api('PUT', '/v1/settings/revenue-share', { percent: 30, basis: 'margin' }, { key: nearStaff })).status,
    ).toBe(403);
    expect(await must(s, 'PUT', '/v1/settings/revenue-share', { percent: 30, basis: 'margin' })).toEqual({
      percent: 30,
      basis: 'margin',
    });
    const audited = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'settings.revenue_share'`.execute(
      s.santong.ctx.database.db,
    );
    expect(audited.rows[0].n).toBe(1);
  });
});

describe('credits', () => {
  it('credits the store for a pickup and a delivery from it when they complete, on the margin', async () => {
    now = periodOf(new Date(), TZ);
    o1 = await pickup(
      'near',
      [
        { sku: 'MILK', qty: 2 },
        { sku: 'TV', qty: 1 },
      ],
      '2026-10-15T04:00:00Z',
    );
    o2 = await pickup(
      'mid',
      [
        { sku: 'CHIPS', qty: 3 },
        { sku: 'MILK', qty: 1 },
      ],
      '2026-10-31T17:00:00Z',
    ); // 1 Nov 01:00 in Shanghai
    const d = await delivered('hour', [{ sku: 'MILK', qty: 3 }], '2026-10-20T06:00:00Z');
    expect(d.from).toBe('near');
    o3 = d.id;
    const oct = await statement(OCT);
    expect(oct.status).toBe('open');
    // (2×1290 − 2×800) + (399900 − 300000) = 100880 → 30 % = 30264; 3×1290 − 3×800 = 1470 → 441
    expect(row(oct, 'near')).toEqual({
      location_id: 'near',
      orders: 2,
      credits: 30264 + 441,
      reversals: 0,
      net: 30705,
      flagged: 0,
    });
    // o2 was collected on 1 November, Shanghai time
    expect(row(oct, 'mid')).toBeUndefined();
    const nov = await statement('2026-11');
    // CHIPS has no cost: its line is settled on net sales (2997), MILK on its margin (490): 3487 → 1046.1 → 1046, flagged
    expect(row(nov, 'mid')).toEqual({
      location_id: 'mid',
      orders: 1,
      credits: 1046,
      reversals: 0,
      net: 1046,
      flagged: 1,
    });
    const mid = await items('2026-11', 'mid');
    expect(mid.items).toEqual([
      expect.objectContaining({
        order_id: o2,
        kind: 'credit',
        basis_kind: 'margin',
        percent: 30,
        basis: 3487,
        amount: 1046,
        cost_missing: true,
      }),
    ]);
    const near = await items(OCT, 'near');
    expect(
      near.items.map((i: { order_id: string; kind: string; basis: number; amount: number; at: string }) => [
        i.order_id,
        i.kind,
        i.basis,
        i.amount,
        i.at,
      ]),
    ).toEqual([
      [o1, 'credit', 100880, 30264, '2026-10-15T04:00:00.000Z'],
      [o3, 'credit', 1470, 441, '2026-10-20T06:00:00.000Z'],
    ]);
    expect(near.net).toBe(30705);
  });

  it('credits nothing for an order shipped from the DC or sold in store', async () => {
    const d = await delivered('standard', [{ sku: 'SOFA', qty: 1 }], '2026-10-21T06:00:00Z');
    expect(d.from).toBe('dc1');
    const pos = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'near' },
    });
    expect(pos.status).toBe('completed');
    await drain();
    const entries = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM settlement_entries WHERE order_id IN (${d.id}, ${pos.id})`.execute(
      s.santong.ctx.database.db,
    );
    expect(entries.rows[0].n).toBe(0);
    expect(row(await statement(OCT), 'dc1')).toBeUndefined();
  });

  it('books each event once, whatever the dispatcher hands over again', async () => {
    const db = s.santong.ctx.database.db;
    const ev = (
      await sql<{ id: string; type: string; aggregate_id: string; payload: Record<string, unknown>; created_at: Date }>`
        SELECT id::text AS id, type, aggregate_id, payload, occurred_at AS created_at FROM outbox WHERE type = 'order.completed' AND aggregate_id = ${o1}`.execute(
        db,
      )
    ).rows[0];
    const event: PublishedEvent = {
      id: ev.id,
      type: ev.type,
      aggregateType: 'order',
      aggregateId: ev.aggregate_id,
      payload: typeof ev.payload === 'string' ? JSON.parse(ev.payload) : ev.payload,
      occurredAt: ev.created_at,
    };
    const before = await statement(OCT);
    await transact(s.santong.ctx.database, (tx) => applySettlementEvents(tx, TZ, [event, event]));
    // a new id for the same completion: the entry key keeps it once too
    await transact(s.santong.ctx.database, (tx) => applySettlementEvents(tx, TZ, [{ ...event, id: '999999999' }]));
    expect(await statement(OCT)).toEqual(before);
  });

  it('settles on net sales at the rate in force when the credit is booked', async () => {
    await must(s, 'PUT', '/v1/settings/revenue-share', { percent: 12.5, basis: 'net_sales' });
    const at = new Date().toISOString();
    const o = await pickup(
      'far',
      [
        { sku: 'MILK', qty: 1 },
        { sku: 'CHIPS', qty: 1 },
      ],
      at,
    );
    const far = await items(now, 'far');
    // 1290 + 999 = 2289 → 12.5 % = 286.125 → 286; no cost needed, nothing flagged
    expect(far.items).toEqual([
      expect.objectContaining({
        order_id: o,
        kind: 'credit',
        basis_kind: 'net_sales',
        percent: 12.5,
        basis: 2289,
        amount: 286,
        cost_missing: false,
      }),
    ]);
    // earlier credits keep their frozen rate and basis
    expect((await items(OCT, 'near')).items[0]).toMatchObject({ basis_kind: 'margin', percent: 30, amount: 30264 });
    await must(s, 'PUT', '/v1/settings/revenue-share', { percent: 30, basis: 'margin' });
  });
});

describe('reversals', () => {
  it('reverses the credit for returned units, dated by the return, with the frozen cost and rate', async () => {
    const r = await returnUnits(o1, [{ sku: 'MILK', qty: 1 }]);
    const mine = (await items(now, 'near')).items.filter((i: { order_id: string }) => i.order_id === o1);
    // returned basis −(1290 − 800) = −490: round(30 % × 100390) − 30264 = 30117 − 30264 = −147
    expect(mine).toEqual([
      expect.objectContaining({
        order_id: o1,
        return_id: r.id,
        kind: 'reversal',
        basis: -490,
        amount: -147,
        at: r.created_at,
      }),
    ]);
    const st = await statement(now);
    expect(row(st, 'near')).toMatchObject({ reversals: -147 });
    // a whole order returned nets to exactly nothing
    await returnUnits(o3, [{ sku: 'MILK', qty: 3 }]);
    const o3items = [...(await items(OCT, 'near')).items, ...(await items(now, 'near')).items].filter(
      (i: { order_id: string }) => i.order_id === o3,
    );
    expect(o3items.reduce((t: number, i: { amount: number }) => t + i.amount, 0)).toBe(0);
  });

  it('reverses a return made before the completion when the credit is booked, dated by the completion', async () => {
    const at = new Date(Date.now() + 60_000).toISOString(); // handed over after the return
    let returnId = '';
    const o = await pickup('mid', [{ sku: 'MILK', qty: 2 }], at, async (id) => {
      returnId = (await returnUnits(id, [{ sku: 'MILK', qty: 1 }], 'mid')).id;
    });
    const mine = (await items(now, 'mid')).items.filter((i: { order_id: string }) => i.order_id === o);
    expect(
      mine.map((i: { kind: string; basis: number; amount: number; return_id: string | null }) => [
        i.kind,
        i.basis,
        i.amount,
        i.return_id,
      ]),
    ).toEqual([
      ['credit', 980, 294, null],
      ['reversal', -490, -147, returnId],
    ]);
    expect(mine[1].at).toBe(mine[0].at);
  });
});

describe('statements', () => {
  it('sends the items as CSV whose amounts sum to the net', async () => {
    const r = await fetch(`${s.url}/v1/settlements/${OCT}/near`, {
      headers: { authorization: `Bearer ${s.adminKey}`, accept: 'text/csv' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const text = await r.text();
    const [header, ...rows] = text.trim().split('\r\n');
    expect(header).toBe('order_id,return_id,kind,basis_kind,percent,basis,amount,cost_missing,at');
    expect(rows).toEqual([
      `${o1},,credit,margin,30,100880,30264,false,2026-10-15T04:00:00.000Z`,
      `${o3},,credit,margin,30,1470,441,false,2026-10-20T06:00:00.000Z`,
    ]);
    const sum = rows.reduce((t, l) => t + Number(l.split(',')[6]), 0);
    expect(sum).toBe(row(await statement(OCT), 'near').net);
  });

  it('lets store staff read their own store only', async () => {
    const st = await statement(OCT, nearStaff);
    expect(st.stores.map((x: { location_id: string }) => x.location_id)).toEqual(['near']);
    const nov = await statement('2026-11', nearStaff);
    expect(nov.stores).toEqual([]);
    expect((await s.api('GET', `/v1/settlements/${OCT}/near`, undefined, { key: nearStaff })).status).toBe(200);
    expect((await s.api('GET', '/v1/settlements/2026-11/mid', undefined, { key: nearStaff })).status).toBe(403);
    expect((await s.api('POST', `/v1/settlements/${OCT}/close`, undefined, { key: nearStaff })).status).toBe(403);
    const marketer = await s.keyFor('marketer');
    expect((await s.api('GET', `/v1/settlements?period=${OCT}`, undefined, { key: marketer })).status).toBe(403);
  });

  it('names the field of a bad period', async () => {
    const r = await s.api('GET', '/v1/settlements?period=2026-13');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.error)).toContain('period');
  });

  it('reconciles every figure to the fen with the orders and returns it lists', async () => {
    const db = s.santong.ctx.database.db;
    const periods = (
      await sql<{ period: string }>`SELECT DISTINCT period FROM settlement_entries ORDER BY 1`.execute(db)
    ).rows.map((r) => r.period);
    const perOrder = new Map<string, { basis: number; amount: number; bp: number; kind: string }[]>();
    for (const p of periods) {
      const st = await statement(p);
      let total = 0;
      for (const store of st.stores) {
        const it = await items(p, store.location_id);
        const credits = it.items.filter((i: { kind: string }) => i.kind === 'credit');
        const reversals = it.items.filter((i: { kind: string }) => i.kind === 'reversal');
        expect(store.credits).toBe(credits.reduce((t: number, i: { amount: number }) => t + i.amount, 0));
        expect(store.reversals).toBe(reversals.reduce((t: number, i: { amount: number }) => t + i.amount, 0));
        expect(store.net).toBe(store.credits + store.reversals);
        expect(store.net).toBe(it.net);
        expect(store.orders).toBe(new Set(it.items.map((i: { order_id: string }) => i.order_id)).size);
        total += store.net;
        for (const i of it.items)
          perOrder.set(i.order_id, [
            ...(perOrder.get(i.order_id) ?? []),
            { basis: i.basis, amount: i.amount, bp: Math.round(i.percent * 100), kind: i.kind },
          ]);
      }
      expect(st.totals.net).toBe(total);
    }
    // Each order: the credit's basis from its lines and costs, and Σ amounts = round(p × remaining basis)
    for (const [orderId, entries] of perOrder) {
      const credit = entries.find((e) => e.kind === 'credit')!;
      const o = await must(s, 'GET', `/v1/orders/${orderId}`);
      const kind = (
        await sql<{
          basis_kind: 'margin' | 'net_sales';
        }>`SELECT basis_kind FROM settlement_entries WHERE entry_key = ${'credit:' + orderId}`.execute(db)
      ).rows[0].basis_kind;
      expect(credit.basis).toBe((await expectedBasis(orderId, kind)).basis);
      expect(credit.amount).toBe(shareOf(credit.bp, credit.basis));
      const returns = (await must(s, 'GET', `/v1/orders/${orderId}/returns`)).items;
      const returnedBasis = (returns as { lines: { sku: string; qty: number; amount: number }[] }[])
        .flatMap((r) => r.lines)
        .reduce(
          (t, l) => t + (kind === 'margin' && COST[l.sku] !== null ? l.amount - COST[l.sku]! * l.qty : l.amount),
          0,
        );
      const remaining = credit.basis - returnedBasis;
      expect(entries.reduce((t, e) => t + e.basis, 0)).toBe(remaining);
      expect(entries.reduce((t, e) => t + e.amount, 0)).toBe(shareOf(credit.bp, remaining));
      expect(o.totals.refunded).toBe(
        returns.reduce((t: number, r: { refund_amount: number }) => t + r.refund_amount, 0),
      );
    }
    expect(PRICE.MILK).toBe(1290);
  });

  it("gives the stores' revenue shares over a range of days in one query (the league's and scorecard's figure)", async () => {
    const r = await storeRevenueShares(s.santong.ctx.database.db, TZ, ['near', 'mid'], '2026-10-01', '2026-10-31');
    expect(r.get('near')).toEqual({ orders: 2, credits: 30705, reversals: 0, net: 30705 });
    expect(r.get('mid')).toEqual({ orders: 0, credits: 0, reversals: 0, net: 0 });
  });
});

describe('closing a period', () => {
  it('closes an ended month, once; a month not yet ended only early; records who', async () => {
    const closed = await s.api(
      'POST',
      `/v1/settlements/${OCT}/close`,
      {},
      {
        headers: { 'idempotency-key': 'close-oct' },
      },
    );
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ period: OCT, status: 'closed', early: false });
    expect(closed.body.closed_by).toBeTruthy();
    const replay = await s.api(
      'POST',
      `/v1/settlements/${OCT}/close`,
      {},
      {
        headers: { 'idempotency-key': 'close-oct' },
      },
    );
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const again = await s.api('POST', `/v1/settlements/${OCT}/close`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('period_closed');
    const notEnded = await s.api('POST', `/v1/settlements/${now}/close`, {});
    expect(notEnded.status).toBe(422);
    expect(notEnded.body.error.field).toBe('early');
    const future = await s.api('POST', `/v1/settlements/${nextPeriod(now)}/close`, { early: true });
    expect(future.status).toBe(422);
    expect(future.body.error.field).toBe('period');
  });

  it('never changes a closed statement: later entries dated in it go to the next open period', async () => {
    const octBefore = await statement(OCT);
    // completed "in October" (closed): booked in November, the next open month
    const late = await pickup('near', [{ sku: 'MILK', qty: 1 }], '2026-10-25T04:00:00Z');
    expect(await statement(OCT)).toEqual(octBefore);
    const novNear = await items('2026-11', 'near');
    expect(novNear.items).toEqual([
      expect.objectContaining({ order_id: late, kind: 'credit', at: '2026-10-25T04:00:00.000Z' }),
    ]);

    // close the current month early, then a late return of an October order: dated now, booked next month
    const early = await must(s, 'POST', `/v1/settlements/${now}/close`, { early: true });
    expect(early).toMatchObject({ status: 'closed', early: true });
    const nowBefore = await statement(now);
    const r = await returnUnits(o1, [{ sku: 'TV', qty: 1 }]);
    expect(await statement(now)).toEqual(nowBefore);
    expect(await statement(OCT)).toEqual(octBefore);
    const next = await items(nextPeriod(now), 'near');
    // basis −(399900 − 300000) = −99900: round(30 % × 490) − round(30 % × 100390) = 147 − 30117
    expect(next.items).toEqual([
      expect.objectContaining({ order_id: o1, return_id: r.id, kind: 'reversal', basis: -99900, amount: 147 - 30117 }),
    ]);
  });
});
