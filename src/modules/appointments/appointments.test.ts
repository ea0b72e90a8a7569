import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startSecondProcess, type Remote } from '../../../test/second-process';
import { startTestServer, type ApiResponse, type TestServer } from '../../../test/server';

/**
 * Service appointments over HTTP: per-store services, booking within capacity (also under
 * concurrency, on PostgreSQL from two server processes), reschedule, cancel, complete, the
 * store's day view, store staff on their own store only, and appointment events as journey triggers.
 */
let s: TestServer;
let second: Remote | null = null;
let n = 0;
const HOUR = 3_600_000;
// Whole hours a few days ahead, so every test books in the future and in slots of its own.
const base = Math.ceil(Date.now() / HOUR) * HOUR + 72 * HOUR;
const at = (hours: number) => new Date(base + hours * HOUR).toISOString();
const phone = () => `1380013${String(++n).padStart(4, '0')}`;
const customer = () => ({ type: 'phone', value: phone() });
const bookAt = (starts_at: string, extra: Record<string, unknown> = {}) =>
  s.api('POST', '/v1/appointments', {
    customer: customer(),
    location_id: 'near',
    service: 'ac_clean',
    starts_at,
    ...extra,
  });
const tally = (rs: ApiResponse[]) =>
  rs.reduce<Record<number, number>>((t, r) => ({ ...t, [r.status]: (t[r.status] ?? 0) + 1 }), {});

beforeAll(async () => {
  s = await startTestServer({ env: { SANTONG_JOURNEY_TICK_MS: '50' } });
  await setupGoods(s, { near: { MILK: 20 }, mid: { MILK: 20 } });
  await must(s, 'PUT', '/v1/locations/near/services', {
    services: [
      { code: 'ac_clean', name: '空调清洗', duration_minutes: 60, capacity: 2 },
      { code: 'fitting', name: '上门安装', duration_minutes: 120, capacity: 1 },
    ],
  });
  if (TEST_DB === 'postgres') second = await startSecondProcess(s);
}, 120_000);
afterAll(async () => {
  await second?.stop();
  await s?.close();
});

describe('services', () => {
  it('PUT sets the store’s active services; one left out is deactivated; bad input names the field', async () => {
    await must(s, 'PUT', '/v1/locations/mid/services', {
      services: [
        { code: 'a', name: 'A', duration_minutes: 30, capacity: 1 },
        { code: 'b', name: 'B', duration_minutes: 30, capacity: 1 },
      ],
    });
    const r = await must(s, 'PUT', '/v1/locations/mid/services', {
      services: [{ code: 'b', name: '乙', duration_minutes: 45, capacity: 3 }],
    });
    expect(r).toEqual({
      location_id: 'mid',
      services: [{ code: 'b', name: '乙', duration_minutes: 45, capacity: 3 }],
    });
    expect((await must(s, 'GET', '/v1/locations/mid/services')).services).toHaveLength(1);
    const dup = await s.api('PUT', '/v1/locations/mid/services', {
      services: [
        { code: 'b', name: 'x', duration_minutes: 30, capacity: 1 },
        { code: 'b', name: 'y', duration_minutes: 30, capacity: 1 },
      ],
    });
    expect([dup.status, dup.body.error.field]).toEqual([422, 'services[1].code']);
    const bad = await s.api('PUT', '/v1/locations/mid/services', {
      services: [{ code: 'b', name: 'x', duration_minutes: 30, capacity: 0 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toContain('capacity');
    expect((await s.api('PUT', '/v1/locations/nope/services', { services: [] })).status).toBe(404);
  });
});

describe('booking', () => {
  it('books within capacity: overlapping bookings beyond it are 409 slot_full, the next hour is free', async () => {
    const a = await bookAt(at(0));
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      location_id: 'near',
      service: 'ac_clean',
      starts_at: at(0),
      ends_at: at(1),
      status: 'booked',
      order_id: null,
    });
    expect((await bookAt(at(0.5))).status).toBe(201); // overlaps the first: 2 of 2
    const full = await bookAt(at(0.25));
    expect([full.status, full.body.error.code, full.body.error.field]).toEqual([409, 'slot_full', 'starts_at']);
    expect((await bookAt(at(1))).status).toBe(201); // the first has ended: 1 overlaps
  });

  it('refuses a service that would not fit in the store’s opening hours (422 naming starts_at), booking or moving', async () => {
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    await must(s, 'PATCH', '/v1/locations/far', {
      opening_hours: Object.fromEntries(days.map((d) => [d, [['09:00', '18:00']]])),
    });
    await must(s, 'PUT', '/v1/locations/far/services', {
      services: [{ code: 'fitting', name: '上门安装', duration_minutes: 120, capacity: 1 }],
    });
    // a day four days ahead on the store's clock (Asia/Shanghai, UTC+8)
    const day = new Date(Date.now() + 4 * 24 * HOUR + 8 * HOUR).toISOString().slice(0, 10);
    const local = (hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`).toISOString();
    const bookFar = (hhmm: string) => bookAt(local(hhmm), { location_id: 'far', service: 'fitting' });
    for (const early of ['08:00', '08:30', '17:00']) {
      const r = await bookFar(early); // before opening, or ending after closing (17:00 + 2 h)
      expect([r.status, r.body.error.code, r.body.error.field]).toEqual([422, 'outside_opening_hours', 'starts_at']);
    }
    const fits = await bookFar('16:00'); // ends at 18:00, as the store closes
    expect([fits.status, fits.body.ends_at]).toEqual([201, local('18:00')]);
    const moved = await s.api('POST', `/v1/appointments/${fits.body.id}/reschedule`, { starts_at: local('07:00') });
    expect([moved.status, moved.body.error.code, moved.body.error.field]).toEqual([
      422,
      'outside_opening_hours',
      'starts_at',
    ]);
    expect(
      (await s.api('POST', `/v1/appointments/${fits.body.id}/reschedule`, { starts_at: local('09:00') })).status,
    ).toBe(200);
  });

  it('refuses an unknown service, a time in the past and another customer’s order, naming the field', async () => {
    const unknown = await bookAt(at(2), { service: 'massage' });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.field]).toEqual([
      422,
      'unknown_service',
      'service',
    ]);
    const past = await bookAt(new Date(Date.now() - HOUR).toISOString());
    expect([past.status, past.body.error.field]).toEqual([422, 'starts_at']);
    const order = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: '13800130000' },
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'near' },
    });
    const other = await bookAt(at(2), { order_id: order.id });
    expect([other.status, other.body.error.code, other.body.error.field]).toEqual([
      422,
      'order_of_another_customer',
      'order_id',
    ]);
    const own = await s.api('POST', '/v1/appointments', {
      customer: { id: order.customer_id },
      location_id: 'near',
      service: 'fitting',
      starts_at: at(2),
      order_id: order.id,
    });
    expect([own.status, own.body.order_id]).toEqual([201, order.id]);
    const missing = await bookAt(at(2), { order_id: 'ord_nope' });
    expect([missing.status, missing.body.error.field]).toEqual([422, 'order_id']);
    expect((await bookAt('tomorrow')).status).toBe(400);
  });

  it('an Idempotency-Key repeat answers the first booking without a second one', async () => {
    const body = { customer: customer(), location_id: 'near', service: 'fitting', starts_at: at(10) };
    const headers = { 'idempotency-key': `apt-${process.pid}` };
    const first = await s.api('POST', '/v1/appointments', body, { headers });
    const again = await s.api('POST', '/v1/appointments', body, { headers });
    expect([first.status, again.status, again.body.id]).toEqual([201, 201, first.body.id]);
    // capacity 1: the slot holds exactly the one booking
    expect((await s.api('POST', '/v1/appointments', { ...body, customer: customer() })).status).toBe(409);
  });

  it(`holds capacity under 12 concurrent bookings of one slot${TEST_DB === 'postgres' ? ' from two server processes' : ''}`, async () => {
    const rs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const body = { customer: customer(), location_id: 'near', service: 'ac_clean', starts_at: at(20) };
        return second && i % 2 === 1
          ? second.api('POST', '/v1/appointments', body)
          : s.api('POST', '/v1/appointments', body);
      }),
    );
    expect(tally(rs)).toEqual({ 201: 2, 409: 10 });
    const day = await must(s, 'GET', `/v1/locations/near/appointments?from=${localDay(at(20))}`);
    const booked = day.items.filter((x: { starts_at: string; status: string }) => x.starts_at === at(20));
    expect(booked.map((x: { status: string }) => x.status)).toEqual(['booked', 'booked']);
  });
});

/** The retailer's day (Asia/Shanghai, +08:00) of an instant. */
const localDay = (iso: string) => new Date(Date.parse(iso) + 8 * HOUR).toISOString().slice(0, 10);

describe('reschedule, cancel, complete', () => {
  it('moves within capacity, cancels once, completes once; each publishes its event', async () => {
    const a = (await bookAt(at(30))).body;
    await bookAt(at(32));
    await bookAt(at(32));
    const full = await s.api('POST', `/v1/appointments/${a.id}/reschedule`, { starts_at: at(32) });
    expect([full.status, full.body.error.code]).toEqual([409, 'slot_full']);
    const moved = await must(s, 'POST', `/v1/appointments/${a.id}/reschedule`, { starts_at: at(34) });
    expect([moved.starts_at, moved.ends_at]).toEqual([at(34), at(35)]);
    const done = await must(s, 'POST', `/v1/appointments/${a.id}/complete`);
    expect(done.status).toBe('completed');
    expect(done.completed_at).not.toBeNull();
    const again = await s.api('POST', `/v1/appointments/${a.id}/cancel`);
    expect([again.status, again.body.error.code]).toEqual([409, 'appointment_not_booked']);
    const b = (await bookAt(at(36))).body;
    expect((await must(s, 'POST', `/v1/appointments/${b.id}/cancel`)).status).toBe('cancelled');
    // a cancelled booking frees its place
    expect((await bookAt(at(36))).status).toBe(201);
    expect((await bookAt(at(36))).status).toBe(201);
    const types = async (id: string) =>
      (
        await s.testDb.database.db
          .selectFrom('outbox')
          .select('type')
          .where('aggregate_id', '=', id)
          .orderBy('id')
          .execute()
      ).map((e) => e.type);
    expect(await types(a.id)).toEqual(['appointment.booked', 'appointment.rescheduled', 'appointment.completed']);
    expect(await types(b.id)).toEqual(['appointment.booked', 'appointment.cancelled']);
    expect((await s.api('POST', '/v1/appointments/apt_nope/complete')).status).toBe(404);
  });
});

describe('the day view and store staff', () => {
  it('lists a store’s day with service names; store staff see and act on their own store only', async () => {
    const a = (await bookAt(at(40))).body;
    const day = await must(s, 'GET', `/v1/locations/near/appointments?from=${localDay(at(40))}`);
    expect(day.items.find((x: { id: string }) => x.id === a.id)).toMatchObject({
      service_name: '空调清洗',
      status: 'booked',
    });
    const week = await must(s, 'GET', `/v1/locations/near/appointments?from=${localDay(at(0))}&days=7`);
    expect(week.items.length).toBeGreaterThan(day.items.length);
    const midStaff = await s.keyFor('store_staff', { location_id: 'mid' });
    const nearStaff = await s.keyFor('store_staff', { location_id: 'near' });
    const as = (key: string) => ({ key });
    expect(
      (await s.api('GET', `/v1/locations/near/appointments?from=${localDay(at(40))}`, undefined, as(midStaff))).status,
    ).toBe(403);
    expect((await s.api('POST', `/v1/appointments/${a.id}/cancel`, undefined, as(midStaff))).status).toBe(403);
    expect((await s.api('GET', `/v1/appointments/${a.id}`, undefined, as(midStaff))).status).toBe(403);
    const elsewhere = await s.api(
      'POST',
      '/v1/appointments',
      { customer: customer(), location_id: 'near', service: 'ac_clean', starts_at: at(41) },
      as(midStaff),
    );
    expect(elsewhere.status).toBe(403);
    const own = await s.api(
      'GET',
      `/v1/locations/near/appointments?from=${localDay(at(40))}`,
      undefined,
      as(nearStaff),
    );
    expect(own.status).toBe(200);
    expect((await s.api('POST', `/v1/appointments/${a.id}/complete`, undefined, as(nearStaff))).body.status).toBe(
      'completed',
    );
  });
});

describe('journeys', () => {
  it('a journey triggered by appointment.completed enrols the customer', async () => {
    const j = await must(
      s,
      'POST',
      '/v1/journeys',
      {
        name: 'after cleaning',
        trigger: { event: { type: 'appointment.completed', properties: { service: 'fitting' } } },
        steps: [{ id: 'e', exit: {} }],
      },
      [201],
    );
    await must(s, 'POST', `/v1/journeys/${j.id}/activate`);
    const a = (
      await s.api('POST', '/v1/appointments', {
        customer: customer(),
        location_id: 'near',
        service: 'fitting',
        starts_at: at(50),
      })
    ).body;
    await must(s, 'POST', `/v1/appointments/${a.id}/complete`);
    const end = Date.now() + 20_000;
    let entered = 0;
    while (entered < 1 && Date.now() < end) {
      entered = (await must(s, 'GET', `/v1/journeys/${j.id}/report`)).entered;
      if (entered < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(entered).toBe(1);
  });
});
