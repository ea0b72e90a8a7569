import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { fill, REASON_TEXT, WHY_NOT_TEXT } from './reasons';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, {
    dc1: { TV: 10, CHIPS: 100 },
    near: { MILK: 5, CHIPS: 3 },
    mid: { MILK: 20, TV: 2, CHIPS: 10 },
    far: { MILK: 50, TV: 1 },
  });
});
afterAll(async () => s?.close());

const setRouting = (id: string, routing: unknown) =>
  s.santong.ctx.database.db
    .updateTable('orders')
    .set({ routing: JSON.stringify(routing) })
    .where('id', '=', id)
    .execute();

describe("an order's routing explanation over the API", () => {
  it("carries each candidate's why-not as a code with its values, placed and read back", async () => {
    const placed = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [
        { sku: 'MILK', qty: 1 },
        { sku: 'TV', qty: 1 },
      ],
      fulfillment: delivery('hour'),
    });
    const read = await must(s, 'GET', `/v1/orders/${placed.id}`);
    for (const o of [placed, read]) {
      const near = o.routing.candidates.find((c: any) => c.location_id === 'near');
      expect(near).toMatchObject({
        can_fulfil: false,
        why_not: 'insufficient stock of TV (has 0, needs 1)',
        why_not_code: 'missing_stock',
        why_not_params: { sku: 'TV', has: 0, qty: 1 },
      });
      const far = o.routing.candidates.find((c: any) => c.location_id === 'far');
      expect(far.why_not_code).toBe('out_of_delivery_range');
      expect(far.why_not_params).toEqual({ km: far.distance_km, limit_km: 3 });
      expect(far.why_not).toBe(fill(WHY_NOT_TEXT.out_of_delivery_range, far.why_not_params));
      const dc = o.routing.candidates.find((c: any) => c.location_id === 'dc1');
      expect(dc).toMatchObject({ why_not: 'no local delivery', why_not_code: 'no_local_delivery' });
      expect(dc.why_not_params).toBeUndefined();
      const chosen = o.routing.candidates.find((c: any) => c.location_id === 'mid');
      expect(chosen.can_fulfil).toBe(true);
      expect(chosen.why_not_code).toBeUndefined();
    }
    expect(read.routing).toEqual(placed.routing);
  });

  it('returns the reason code and its values as stored (the response schema keeps them)', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'near' },
    });
    const coded = {
      ...o.routing,
      reason: 'picked up at near',
      reason_code: 'picked_up_at',
      reason_params: { location: 'near' },
    };
    await setRouting(o.id, coded);
    const read = await must(s, 'GET', `/v1/orders/${o.id}`);
    expect(read.routing).toEqual(coded);
  });

  it('still returns an order routed before the codes, with its English text only', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: delivery('hour'),
    });
    const old = {
      decision: 'single',
      reason: 'nearest open store that delivers to the address within 3 km and has every line',
      strategy: 'default',
      candidates: [
        { location_id: 'near', distance_km: 0.39, can_fulfil: true },
        { location_id: 'far', distance_km: 15.2, can_fulfil: false, why_not: 'out of delivery range (15.2 km > 3 km)' },
      ],
    };
    await setRouting(o.id, old);
    const read = await must(s, 'GET', `/v1/orders/${o.id}`);
    expect(read.routing).toEqual(old);
  });

  it('stores the reason code and values of a placed order, the text written from them', async () => {
    const pickup = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'mid' },
    });
    const hour = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: delivery('hour'),
    });
    for (const o of [pickup, hour]) {
      const read = await must(s, 'GET', `/v1/orders/${o.id}`);
      expect(read.routing.reason_code).toBe(o.routing.reason_code);
      expect(read.routing.reason_params).toEqual(o.routing.reason_params);
    }
    expect(pickup.routing).toMatchObject({
      reason: 'picked up at mid',
      reason_code: 'picked_up_at',
      reason_params: { location: 'mid' },
    });
    expect(typeof hour.routing.reason_code).toBe('string');
    expect(hour.routing.reason).toBe(
      fill(REASON_TEXT[hour.routing.reason_code as keyof typeof REASON_TEXT], hour.routing.reason_params ?? {}),
    );
  });
});
