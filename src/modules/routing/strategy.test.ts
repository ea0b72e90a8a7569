/**
 * The routing strategy is the context's (`ctx.routing`), replaceable when the server is built:
 * here a retailer's own strategy that never sends parcels from the DC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { defaultStrategy, type RoutingStrategy } from './policy';

const storesOnly: RoutingStrategy = {
  name: 'stores_only',
  route: (input, policy) =>
    defaultStrategy.route({ ...input, locations: input.locations.filter((l) => l.type !== 'dc') }, policy),
};

let standard: TestServer;
let custom: TestServer;
beforeAll(async () => {
  standard = await startTestServer({ startDispatcher: false });
  custom = await startTestServer({ startDispatcher: false, services: { routing: storesOnly } });
  for (const s of [standard, custom])
    await setupGoods(s, { dc1: { CHIPS: 100 }, near: { CHIPS: 3 }, far: { CHIPS: 50 } });
});
afterAll(async () => Promise.all([standard?.close(), custom?.close()]));

const parcel = { channel: 'app', lines: [{ sku: 'CHIPS', qty: 2 }], fulfillment: delivery('standard') };

describe('the routing strategy of the app context', () => {
  it('is the default one unless another is given: a standard parcel goes from the DC that has every line', async () => {
    const o = await must(standard, 'POST', '/v1/orders', parcel);
    expect(o.routing).toMatchObject({ strategy: 'default', reason_code: 'dc_standard_has_all' });
    expect(o.allocations.map((a: { location_id: string }) => a.location_id)).toEqual(['dc1']);
  });

  it('routes orders, and stores its name, when a custom one is injected', async () => {
    const o = await must(custom, 'POST', '/v1/orders', parcel);
    expect(o.routing.strategy).toBe('stores_only');
    expect(o.allocations.map((a: { location_id: string }) => a.location_id)).toEqual(['near']);
    expect(o.routing.candidates.map((c: { location_id: string }) => c.location_id)).not.toContain('dc1');
    expect(await stockAt(custom, 'CHIPS', 'near')).toMatchObject({ on_hand: 3, reserved: 2 });
    expect(await stockAt(custom, 'CHIPS', 'dc1')).toMatchObject({ on_hand: 100, reserved: 0 });
    const read = await must(custom, 'GET', `/v1/orders/${o.id}`);
    expect(read.routing.strategy).toBe('stores_only');
  });

  it('also decides which other speeds are offered when an order cannot be routed', async () => {
    const big = { ...parcel, lines: [{ sku: 'CHIPS', qty: 60 }], fulfillment: delivery('hour') };
    const speeds = async (s: TestServer) => {
      const r = await s.api('POST', '/v1/orders', big);
      expect(r.status).toBe(409);
      return r.body.error.alternatives.speeds;
    };
    expect(await speeds(standard)).toEqual(['standard']); // from the DC
    expect(await speeds(custom)).toEqual([]);
  });
});
