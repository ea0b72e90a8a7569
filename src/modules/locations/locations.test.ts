import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, HOME, LOCS, must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 50, CHIPS: 50 }, mid: { MILK: 50 } });
});
afterAll(async () => s?.close());

const milkHour = () => ({ channel: 'app', lines: [{ sku: 'MILK', qty: 1 }], fulfillment: delivery('hour') });
const posAt = (location: string) => ({
  channel: 'pos',
  lines: [{ sku: 'CHIPS', qty: 1 }],
  fulfillment: { type: 'in_store', location_id: location },
});
const nearby = async () =>
  (await must(s, 'GET', `/v1/locations/nearby?lat=${HOME.lat}&lng=${HOME.lng}&radius_km=10`)).items.map(
    (i: { location_id: string }) => i.location_id,
  );

describe('PATCH /v1/locations/:id', () => {
  it('changes only the fields given and answers the location', async () => {
    const r = await must(s, 'PATCH', '/v1/locations/mid', {
      name: '中环店',
      opening_hours: { mon: [['09:00', '21:00']] },
      capabilities: { local_delivery_km: 6 },
    });
    expect(r).toMatchObject({
      id: 'mid',
      name: '中环店',
      type: 'store',
      lat: LOCS.mid.lat,
      opening_hours: { mon: [['09:00', '21:00']] },
      capabilities: { ship: true, pickup: true, local_delivery_km: 6 },
      status: 'active',
    });
    expect(await must(s, 'GET', '/v1/locations/mid')).toEqual(r);
    const back = await must(s, 'PATCH', '/v1/locations/mid', {
      name: LOCS.mid.name,
      opening_hours: null,
      capabilities: { local_delivery_km: 5 },
    });
    expect(back).toMatchObject({ name: LOCS.mid.name, opening_hours: null, capabilities: LOCS.mid.capabilities });
    const trail = await must(s, 'GET', '/v1/audit?action=location.updated&subject=mid');
    expect(trail.items.map((e: { details: { fields: string[] } }) => e.details.fields)).toEqual([
      ['name', 'opening_hours', 'capabilities'],
      ['name', 'opening_hours', 'capabilities'],
    ]);
  });

  it('refuses bad input naming the field, unknown locations and non-admins', async () => {
    const bad: [unknown, string][] = [
      [{ status: 'bogus' }, 'status'],
      [{ name: '' }, 'name'],
      [{ capabilities: { local_delivery_km: -1 } }, 'capabilities'],
      [{ opening_hours: { mon: [['25:00', '22:00']] } }, 'opening_hours'],
      [{ type: 'dc' }, 'type'],
    ];
    for (const [body, field] of bad) {
      const r = await s.api('PATCH', '/v1/locations/near', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field, JSON.stringify(r.body)).toContain(field);
    }
    expect((await s.api('PATCH', '/v1/locations/near', {})).status).toBe(400);
    const missing = await s.api('PATCH', '/v1/locations/nowhere', { status: 'closed' });
    expect([missing.status, missing.body.error.field]).toEqual([404, 'id']);
    const staff = await s.keyFor('store_staff', { location_id: 'near' });
    expect((await s.api('PATCH', '/v1/locations/near', { status: 'closed' }, { key: staff })).status).toBe(403);
    expect((await must(s, 'GET', '/v1/locations/near')).status).toBe('active');
  });

  it('a closed store takes no new orders, routing and nearby search skip it; reopened it serves again', async () => {
    // Open: the nearest store with stock serves the hour delivery.
    const before = await must(s, 'POST', '/v1/orders', milkHour());
    expect(before.allocations.map((f: { location_id: string }) => f.location_id)).toEqual(['near']);
    expect(await nearby()).toContain('near');

    expect((await must(s, 'PATCH', '/v1/locations/near', { status: 'closed' })).status).toBe('closed');
    const closing = await must(s, 'GET', '/v1/audit?action=location.closed&subject=near');
    expect(closing.items).toHaveLength(1);
    expect(closing.items[0].details).toEqual({ fields: ['status'], status: 'closed' });
    const routed = await must(s, 'POST', '/v1/orders', milkHour());
    expect(routed.allocations.map((f: { location_id: string }) => f.location_id)).toEqual(['mid']);
    expect(routed.routing.candidates.map((c: { location_id: string }) => c.location_id)).not.toContain('near');
    expect(await nearby()).not.toContain('near');
    const refused = await s.api('POST', '/v1/orders', posAt('near'));
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([
      422,
      'location_closed',
      'fulfillment.location_id',
    ]);
    const pickup = await s.api('POST', '/v1/orders', {
      ...milkHour(),
      fulfillment: { type: 'pickup', location_id: 'near' },
    });
    expect([pickup.status, pickup.body.error.field]).toEqual([422, 'fulfillment.location_id']);
    // The till's quote says so too, and nothing was sold at the closed store.
    const quote = await s.api('POST', '/v1/quote', posAt('near'));
    expect([quote.status, quote.body.error.code]).toEqual([422, 'location_closed']);
    const chips = (await must(s, 'GET', '/v1/stock/CHIPS')).locations.find(
      (l: { location_id: string }) => l.location_id === 'near',
    );
    expect(chips.on_hand).toBe(50);
    // Still listed (the console shows it closed).
    const listed = (await must(s, 'GET', '/v1/locations')).items.find((l: { id: string }) => l.id === 'near');
    expect(listed.status).toBe('closed');

    await must(s, 'PATCH', '/v1/locations/near', { status: 'active' });
    const again = await must(s, 'POST', '/v1/orders', milkHour());
    expect(again.allocations.map((f: { location_id: string }) => f.location_id)).toEqual(['near']);
    expect((await must(s, 'POST', '/v1/orders', posAt('near'))).location_id).toBe('near');
    expect(await nearby()).toContain('near');
  });
});
