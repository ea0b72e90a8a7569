import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
let staff: string;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { mid: { MILK: 20 } });
  staff = await s.keyFor('store_staff', { location_id: 'mid' });
});
afterAll(async () => s?.close());

/** A paid pickup order ready at the counter: its fulfilment and code. */
async function readyPickup(): Promise<{ f: string; code: string; order: string }> {
  const o = await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'mid' },
  });
  const f = (await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` })).allocations[0]
    .fulfillment_id;
  for (const type of ['picked', 'ready_for_pickup']) await must(s, 'POST', `/v1/fulfillments/${f}/events`, { type });
  return { f, code: o.pickup_code, order: o.id };
}

const wrongCode = (code: string, i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
const collect = (f: string, code: string) =>
  s.api('POST', `/v1/fulfillments/${f}/collect`, { pickup_code: code }, { key: staff });

describe('pickup code guessing', () => {
  it('locks a pickup for 15 minutes after 5 wrong codes, refuses even the right code, and raises security.pickup_code_guessing', async () => {
    const { f, code, order } = await readyPickup();
    for (let i = 0; i < 4; i++) {
      const r = await collect(f, wrongCode(code, i));
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'invalid_pickup_code', field: 'pickup_code', attempts_left: 4 - i });
    }
    const fifth = await collect(f, wrongCode(code, 4));
    expect(fifth.status).toBe(429);
    expect(fifth.body.error).toMatchObject({ code: 'pickup_locked', field: 'pickup_code' });
    const until = new Date(fifth.body.error.locked_until).getTime();
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 5_000);

    const right = await collect(f, code);
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('pickup_locked');
    expect((await must(s, 'GET', `/v1/orders/${order}`)).status).toBe('ready_for_pickup');

    const db = s.santong.ctx.database.db;
    const events = await db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'security.pickup_code_guessing')
      .execute();
    expect(events).toHaveLength(1);
    const staffId = (await s.api('GET', '/v1/me', undefined, { key: staff })).body.key_id;
    expect(events[0].payload).toMatchObject({
      fulfillment_id: f,
      order_id: order,
      location_id: 'mid',
      key_id: staffId,
      failures: 5,
    });
    expect(JSON.stringify(events[0].payload)).not.toContain(code);
    const alerts = (await s.api('GET', '/v1/security/alerts')).body.items.filter(
      (a: { kind: string }) => a.kind === 'pickup_code_guessing',
    );
    expect(alerts).toMatchObject([{ key_id: staffId, blocking: false, details: { fulfillment_id: f } }]);

    // 15 minutes later (the lock moved into the past) the right code works
    await sql`UPDATE pickup_code_guards SET locked_until = now() - interval '1 second' WHERE fulfillment_id = ${f}`.execute(
      db,
    );
    const later = await collect(f, code);
    expect(later.status).toBe(200);
    expect(later.body.status).toBe('collected');
  });

  it('counts wrong codes per pickup and forgets them after the right code', async () => {
    const a = await readyPickup();
    const b = await readyPickup();
    for (let i = 0; i < 4; i++) expect((await collect(a.f, wrongCode(a.code, i))).status).toBe(422);
    expect((await collect(b.f, wrongCode(b.code, 0))).body.error.attempts_left).toBe(4); // b has its own count
    expect((await collect(a.f, a.code)).status).toBe(200);
    const left = await s.santong.ctx.database.db
      .selectFrom('pickup_code_guards')
      .select('fulfillment_id')
      .where('fulfillment_id', '=', a.f)
      .execute();
    expect(left).toEqual([]);
  });

  it('refuses parallel guessing too: of 20 wrong codes at once, 4 are answered 422, the rest 429', async () => {
    const { f, code } = await readyPickup();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => collect(f, wrongCode(code, i))));
    expect(results.filter((r) => r.status === 422)).toHaveLength(4);
    expect(results.filter((r) => r.status === 429)).toHaveLength(16);
    expect((await collect(f, code)).status).toBe(429);
  });
});
