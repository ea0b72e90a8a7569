/**
 * The start-up warm-up sends the server dry-run orders before it listens: they take the whole
 * order path but write nothing, and the secret they carry stops working when the warm-up ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { warmUpOrderPath } from './warm-up';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 3, CHIPS: 0 }, mid: { MILK: 2 } });
});
afterAll(async () => s?.close());

async function counts() {
  const r = await sql<Record<string, string>>`SELECT
      (SELECT count(*) FROM orders) AS orders,
      (SELECT count(*) FROM order_lines) AS lines,
      (SELECT count(*) FROM stock_reservations) AS reservations,
      (SELECT count(*) FROM outbox) AS events,
      (SELECT count(*) FROM idempotency_keys) AS keys,
      (SELECT coalesce(sum(reserved), 0) FROM stock) AS reserved`.execute(s.santong.ctx.database.db);
  return r.rows[0];
}

describe('the order path warm-up', () => {
  it('places dry-run orders through the API and writes nothing', async () => {
    const before = await counts();
    const tally = await warmUpOrderPath(s.santong.app, s.santong.ctx, 40);
    expect(tally.placed + tally.refused).toBe(40);
    expect(tally.placed).toBeGreaterThan(0); // MILK is in stock at both stores
    expect(tally.refused).toBeGreaterThan(0); // CHIPS is not
    expect(await counts()).toEqual(before);
    expect(await stockAt(s, 'MILK', 'near')).toMatchObject({ on_hand: 3, reserved: 0 });
    // The real path is unchanged: an order is placed and reserves its unit.
    await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'pickup', location_id: 'near' },
    });
    expect((await stockAt(s, 'MILK', 'near')).reserved).toBe(1);
  });

  it('does nothing on an empty catalogue', async () => {
    const empty = await startTestServer({ startDispatcher: false });
    try {
      expect(await warmUpOrderPath(empty.santong.app, empty.santong.ctx, 10)).toEqual({ placed: 0, refused: 0 });
    } finally {
      await empty.close();
    }
  });
});
