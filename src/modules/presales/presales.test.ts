import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { reservedDemand } from './public';
import { launchDue } from './service';

let s: TestServer;
const db = () => s.santong.ctx.database.db;
const DAY = 86_400_000;
let presale: { id: string; deposit: number };
let nearStaff: string;
let midStaff: string;

const phone = (n: number) => ({ type: 'phone', value: `+86138000007${String(n).padStart(2, '0')}` });
const reserve = (body: Record<string, unknown>, key?: string, id = presale.id) =>
  s.api('POST', `/v1/presales/${id}/reservations`, body, key ? { key } : {});

async function eventsOf(type: string) {
  return (
    await sql<{
      payload: Record<string, unknown>;
    }>`SELECT payload FROM outbox WHERE type = ${type} ORDER BY id`.execute(db())
  ).rows.map((r) => r.payload);
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { TV: 5 }, mid: { TV: 5 } });
  nearStaff = await s.keyFor('store_staff', { location_id: 'near' });
  midStaff = await s.keyFor('store_staff', { location_id: 'mid' });
  presale = await must(s, 'POST', '/v1/presales', {
    sku: 'TV',
    title: '新款电视 预约',
    launch_at: new Date(Date.now() + 7 * DAY).toISOString(),
    deposit: 10000,
    per_customer_limit: 2,
  });
});
afterAll(() => s?.close());

describe('pre-sales', () => {
  it('creates a pre-sale; an unknown SKU or a bad body is refused naming the field', async () => {
    expect(presale).toMatchObject({ sku: 'TV', product_name: 'TV', deposit: 10000, status: 'open', units: 0 });
    const r = await s.api('POST', '/v1/presales', {
      sku: 'NOPE',
      title: 'x',
      launch_at: new Date().toISOString(),
      per_customer_limit: 1,
    });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'unknown_sku', field: 'sku' });
    const bad = await s.api('POST', '/v1/presales', {
      sku: 'TV',
      title: 'x',
      launch_at: 'soon',
      per_customer_limit: 1,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('launch_at');
    expect((await must(s, 'GET', '/v1/presales')).items.map((p: { id: string }) => p.id)).toContain(presale.id);
  });

  it('reserves once per customer: asking again, or many times at once, answers the one reservation', async () => {
    const first = await reserve({ customer: phone(1), location_id: 'near', qty: 2 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'pending_payment', qty: 2, deposit: 10000, location_id: 'near' });
    const again = await reserve({ customer: phone(1), location_id: 'mid' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const many = await Promise.all(
      Array.from({ length: 6 }, () => reserve({ customer: phone(2), location_id: 'mid' })),
    );
    expect(many.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(many.map((r) => r.body.id)).size).toBe(1);
  });

  it('refuses more than the per-customer limit, a non-store and another store for store staff', async () => {
    const over = await reserve({ customer: phone(3), location_id: 'near', qty: 3 });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'presale_limit_exceeded', field: 'qty' });
    const dc = await reserve({ customer: phone(3), location_id: 'dc1' });
    expect(dc.status).toBe(422);
    expect(dc.body.error).toMatchObject({ code: 'unknown_location', field: 'location_id' });
    expect((await reserve({ customer: phone(3), location_id: 'mid' }, nearStaff)).status).toBe(403);
    expect((await reserve({ customer: phone(3), location_id: 'near' }, nearStaff)).status).toBe(201);
  });

  it('holds a reservation when its deposit is paid, like an order (the same payment twice is one)', async () => {
    const list = await must(s, 'GET', `/v1/presales/${presale.id}/reservations?location_id=near`);
    const r = list.items.find((x: { qty: number }) => x.qty === 2);
    const pay = (ref: string, key?: string) =>
      s.api(
        'POST',
        `/v1/presales/${presale.id}/reservations/${r.id}/pay`,
        { payment_ref: ref, payment_method: 'wechat_pay' },
        key ? { key } : {},
      );
    expect((await pay('wx-1', midStaff)).status).toBe(403);
    const paid = await pay('wx-1');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'reserved' });
    expect((await pay('wx-1')).body.paid_at).toBe(paid.body.paid_at);
    const other = await pay('wx-2');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('reservation_not_payable');
    const reserved = await eventsOf('presale.reserved');
    expect(reserved).toEqual([
      expect.objectContaining({ presale_id: presale.id, reservation_id: r.id, sku: 'TV', location_id: 'near', qty: 2 }),
    ]);
  });

  it("shows store staff their own store's reservations with whom to invite, and another store's not", async () => {
    const mine = await s.api('GET', `/v1/presales/${presale.id}/reservations`, undefined, { key: nearStaff });
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBe(2);
    expect(mine.body.items.every((r: { location_id: string }) => r.location_id === 'near')).toBe(true);
    expect(mine.body.items[0].phone_masked).toMatch(/\*/);
    const theirs = await s.api('GET', `/v1/presales/${presale.id}/reservations?location_id=mid`, undefined, {
      key: nearStaff,
    });
    expect(theirs.status).toBe(403);
  });

  it('answers demand per store, and reservedDemand gives the held units per (SKU, store) with the launch', async () => {
    // mid's reservation (phone 2) pays too: near holds 2 units, mid 1; near's second still owes its deposit
    const mid = (await must(s, 'GET', `/v1/presales/${presale.id}/reservations?location_id=mid`)).items[0];
    await must(s, 'POST', `/v1/presales/${presale.id}/reservations/${mid.id}/pay`, { payment_ref: 'ali-1' });
    const d = await must(s, 'GET', `/v1/presales/${presale.id}/demand?group_by=location`);
    expect(d).toMatchObject({ sku: 'TV', total_units: 3, total_reservations: 2 });
    expect(d.items).toEqual([
      {
        location_id: 'mid',
        location_name: 'Mid store',
        reservations: 1,
        units: 1,
        pending_payment: 0,
        deposits_paid: 10000,
      },
      {
        location_id: 'near',
        location_name: 'Near store',
        reservations: 1,
        units: 2,
        pending_payment: 1,
        deposits_paid: 10000,
      },
    ]);
    const rows = await reservedDemand(db(), { sku: 'TV' });
    expect(rows.map((x) => [x.location_id, x.units])).toEqual([
      ['mid', 1],
      ['near', 2],
    ]);
    expect(rows[0]!.launch_at.getTime()).toBe(Date.parse(d.launch_at));
    expect(await reservedDemand(db(), { locationId: 'far' })).toEqual([]);
    expect((await s.api('GET', `/v1/presales/${presale.id}/demand?group_by=sku`)).status).toBe(400);
  });

  it('converts only after launch, at its store, with the deposit deducted; launch closes reservations', async () => {
    const near = (await must(s, 'GET', `/v1/presales/${presale.id}/reservations?location_id=near&status=reserved`))
      .items[0];
    const convert = (key?: string) =>
      s.api(
        'POST',
        `/v1/presales/${presale.id}/reservations/${near.id}/convert`,
        { payment_method: 'cash' },
        key ? { key } : {},
      );
    const early = await convert();
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('presale_not_launched');

    const launched = await must(s, 'POST', `/v1/presales/${presale.id}/launch`);
    expect(launched).toMatchObject({ status: 'launched', units: 3 });
    await must(s, 'POST', `/v1/presales/${presale.id}/launch`); // again: the same, one event
    const events = await eventsOf('presale.launched');
    expect(events).toEqual([expect.objectContaining({ presale_id: presale.id, sku: 'TV' })]);
    expect(events[0]!.stores).toEqual([
      { location_id: 'mid', units: 1, reservations: 1 },
      { location_id: 'near', units: 2, reservations: 1 },
    ]);
    const late = await reserve({ customer: phone(9), location_id: 'near' });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('presale_launched');

    expect((await convert(midStaff)).status).toBe(403);
    const done = await convert(nearStaff);
    expect(done.status).toBe(200);
    expect(done.body.reservation).toMatchObject({ status: 'converted', order_id: done.body.order_id });
    expect(done.body.total).toBe(2 * 399900 - 10000);
    const order = await must(s, 'GET', `/v1/orders/${done.body.order_id}`);
    expect(order).toMatchObject({ channel: 'pos', location_id: 'near', status: 'completed' });
    const again = await convert();
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('reservation_not_convertible');
    // sold: its order is returned, not the reservation cancelled
    const cancel = await s.api('POST', `/v1/presales/${presale.id}/reservations/${near.id}/cancel`, {});
    expect([cancel.status, cancel.body.error.code]).toEqual([409, 'reservation_not_cancellable']);
    // converted units are orders now: no longer reserved demand
    expect((await reservedDemand(db(), { sku: 'TV', locationId: 'near' })).length).toBe(0);
  });

  it('holds a reservation without a deposit at once', async () => {
    const free = await must(s, 'POST', '/v1/presales', {
      sku: 'MILK',
      title: '新品牛奶 预约',
      launch_at: new Date(Date.now() + DAY).toISOString(),
      per_customer_limit: 1,
    });
    const r = await reserve({ customer: phone(4), location_id: 'far' }, undefined, free.id);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'reserved', deposit: 0 });
    expect(await reservedDemand(db(), { sku: 'MILK' })).toEqual([
      { sku: 'MILK', location_id: 'far', units: 1, launch_at: new Date(free.launch_at) },
    ]);
  });
});

describe('cancelling a reservation', () => {
  const cancel = (presaleId: string, id: string, key?: string) =>
    s.api(
      'POST',
      `/v1/presales/${presaleId}/reservations/${id}/cancel`,
      { reason: '顾客改变主意' },
      key ? { key } : {},
    );
  const couponOf = async (reservationId: string) =>
    (
      await sql<{ code: string; status: string }>`
        SELECT c.code, c.status FROM coupons c JOIN presale_reservations r ON r.coupon_code = c.code
        WHERE r.id = ${reservationId}`.execute(db())
    ).rows[0]!;

  it('refunds a paid deposit and voids its coupon, answers the same again, and lets the person reserve again', async () => {
    const p = await must(s, 'POST', '/v1/presales', {
      sku: 'TV',
      title: '取消预约',
      launch_at: new Date(Date.now() + 7 * DAY).toISOString(),
      deposit: 5000,
      per_customer_limit: 1,
    });
    const paid = (await reserve({ customer: phone(20), location_id: 'near' }, undefined, p.id)).body;
    await must(s, 'POST', `/v1/presales/${p.id}/reservations/${paid.id}/pay`, {
      payment_ref: 'wx-cancel-1',
      payment_method: 'wechat_pay',
    });
    const owing = (await reserve({ customer: phone(21), location_id: 'mid' }, undefined, p.id)).body;
    expect((await must(s, 'GET', `/v1/presales/${p.id}`)).reservations).toBe(2);

    expect((await cancel(p.id, paid.id, midStaff)).status).toBe(403);
    const done = await cancel(p.id, paid.id, nearStaff);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'cancelled', refunded: 5000, deposit: 5000 });
    expect((await couponOf(paid.id)).status).toBe('void');
    const again = await cancel(p.id, paid.id);
    expect(again.status).toBe(200);
    expect(again.body.cancelled_at).toBe(done.body.cancelled_at);
    const unpaid = await cancel(p.id, owing.id);
    expect(unpaid.body).toMatchObject({ status: 'cancelled', refunded: 0 });
    expect((await cancel(p.id, 'prr_nope')).status).toBe(404);

    const events = (await eventsOf('presale.reservation_cancelled')).filter((e) => e.presale_id === p.id);
    expect(events).toEqual([
      expect.objectContaining({
        reservation_id: paid.id,
        refunded: 5000,
        payment_ref: 'wx-cancel-1',
        reason: '顾客改变主意',
      }),
      expect.objectContaining({ reservation_id: owing.id, refunded: 0, payment_ref: null }),
    ]);
    // cancelled reservations hold nothing
    expect(await must(s, 'GET', `/v1/presales/${p.id}`)).toMatchObject({ reservations: 0, units: 0 });
    expect((await must(s, 'GET', `/v1/presales/${p.id}/demand`)).items).toEqual([]);
    const anew = await reserve({ customer: phone(20), location_id: 'near' }, undefined, p.id);
    expect(anew.status).toBe(201);
    expect(anew.body.id).not.toBe(paid.id);
    expect(anew.body.status).toBe('pending_payment');
  });

  it('refunds nothing when the deposit coupon was already spent on an order at the store', async () => {
    const p = await must(s, 'POST', '/v1/presales', {
      sku: 'TV',
      title: '定金已抵扣',
      launch_at: new Date(Date.now() + 7 * DAY).toISOString(),
      deposit: 8000,
      per_customer_limit: 1,
    });
    const r = (await reserve({ customer: phone(22), location_id: 'mid' }, undefined, p.id)).body;
    await must(s, 'POST', `/v1/presales/${p.id}/reservations/${r.id}/pay`, { payment_ref: 'ali-spent' });
    const coupon = await couponOf(r.id);
    const order = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: phone(22),
      lines: [{ sku: 'TV', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
      coupon_codes: [coupon.code],
    });
    expect(order.totals.total).toBe(399900 - 8000);
    const done = await cancel(p.id, r.id);
    expect(done.body).toMatchObject({ status: 'cancelled', refunded: 0 });
    expect((await couponOf(r.id)).status).toBe('redeemed');
  });
});

describe('launching at launch_at', () => {
  it('launches a due pre-sale once, whoever gets there first (two runs of the task at once and the button)', async () => {
    const create = (title: string, inMs: number) =>
      must(s, 'POST', '/v1/presales', {
        sku: 'CHIPS',
        title,
        launch_at: new Date(Date.now() + inMs).toISOString(),
        per_customer_limit: 1,
      });
    const due = await create('到点上市', 60_000);
    const later = await create('晚些上市', 3_600_000);
    await reserve({ customer: phone(30), location_id: 'far' }, undefined, due.id);
    expect(await launchDue(db())).toBe(0); // not yet
    const at = new Date(Date.now() + 61_000);
    await Promise.all([launchDue(db(), at), launchDue(db(), at), s.api('POST', `/v1/presales/${due.id}/launch`)]);
    expect(await must(s, 'GET', `/v1/presales/${due.id}`)).toMatchObject({ status: 'launched' });
    expect((await must(s, 'GET', `/v1/presales/${later.id}`)).status).toBe('open');
    const launched = (await eventsOf('presale.launched')).filter((e) => e.presale_id === due.id);
    expect(launched).toEqual([
      expect.objectContaining({ sku: 'CHIPS', stores: [{ location_id: 'far', units: 1, reservations: 1 }] }),
    ]);
    expect(await launchDue(db(), at)).toBe(0); // nothing left due
  });
});
