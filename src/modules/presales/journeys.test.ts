import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';

/**
 * Pre-sale events as journey triggers: presale.reserved and presale.launched reach the people
 * concerned as their behaviour events (the dispatcher's subscriber, through customers' public API),
 * which journeys' event triggers read. The dispatcher is run by hand, one pass at a time: the first
 * pass records the events, the next one's journey intake enrols.
 */
let s: TestServer;
const DAY = 86_400_000;
const phone = (n: number) => ({ type: 'phone', value: `+86138000008${String(n).padStart(2, '0')}` });
const tick = () => s.santong.ctx.dispatcher.runOnce();
const entered = async (journeyId: string) => (await must(s, 'GET', `/v1/journeys/${journeyId}/report`)).entered;

async function journey(type: string, properties: Record<string, string>): Promise<string> {
  const j = await must(
    s,
    'POST',
    '/v1/journeys',
    { name: type, trigger: { event: { type, properties } }, steps: [{ id: 'e', exit: {} }] },
    [201],
  );
  await must(s, 'POST', `/v1/journeys/${j.id}/activate`);
  return j.id;
}

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_JOURNEY_TICK_MS: '0' } });
  await setupGoods(s, { near: { TV: 5 } });
}, 120_000);
afterAll(() => s?.close());

describe('pre-sale journey triggers', () => {
  it('enrols who reserved on presale.reserved, and everyone holding a reservation on presale.launched, once', async () => {
    const p = await must(s, 'POST', '/v1/presales', {
      sku: 'TV',
      title: '新款电视 预约',
      launch_at: new Date(Date.now() + 7 * DAY).toISOString(),
      per_customer_limit: 2,
    });
    const onReserved = await journey('presale.reserved', { presale_id: p.id });
    const onLaunched = await journey('presale.launched', { presale_id: p.id });
    const app = await s.keyFor('integration', { channel: 'mini_program' });
    const a = await must(s, 'POST', `/v1/presales/${p.id}/reservations`, { customer: phone(1), location_id: 'near' });
    const b = await s.api(
      'POST',
      `/v1/presales/${p.id}/reservations`,
      { customer: phone(2), location_id: 'mid', qty: 2 },
      { key: app },
    );
    expect(b.status).toBe(201);

    await tick();
    await tick();
    expect(await entered(onReserved)).toBe(2);
    expect(await entered(onLaunched)).toBe(0);

    await must(s, 'POST', `/v1/presales/${p.id}/launch`);
    await tick();
    await tick();
    expect(await entered(onLaunched)).toBe(2);
    await tick(); // nobody enters twice
    expect([await entered(onReserved), await entered(onLaunched)]).toEqual([2, 2]);

    // They are the people's own events, with the store and channel of their reservation.
    const events = (
      await sql<{ type: string; customer_id: string; location_id: string; channel: string; qty: number }>`
        SELECT type, customer_id, location_id, channel, (properties->>'qty')::int AS qty FROM customer_events
        WHERE type LIKE 'presale.%' ORDER BY type, location_id`.execute(s.santong.ctx.database.db)
    ).rows;
    expect(events).toEqual([
      {
        type: 'presale.launched',
        customer_id: b.body.customer_id,
        location_id: 'mid',
        channel: 'mini_program',
        qty: 2,
      },
      { type: 'presale.launched', customer_id: a.customer_id, location_id: 'near', channel: 'pos', qty: 1 },
      {
        type: 'presale.reserved',
        customer_id: b.body.customer_id,
        location_id: 'mid',
        channel: 'mini_program',
        qty: 2,
      },
      { type: 'presale.reserved', customer_id: a.customer_id, location_id: 'near', channel: 'pos', qty: 1 },
    ]);
  });
});
