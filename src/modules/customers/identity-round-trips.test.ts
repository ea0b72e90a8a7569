import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { identify } from './identity';

// Each round trip to PostgreSQL costs more CPU than most of One ID's statements (a writev and a
// wake-up on both sides), so identify() keeps them few. These figures are what it sends today.
let s: TestServer;
let count = 0;
const original = pg.Client.prototype.query;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
    count++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
});
afterAll(async () => {
  pg.Client.prototype.query = original;
  await s?.close();
});

const tag = crypto.randomBytes(4).toString('hex');
async function roundTrips(identifiers: { type: string; value: string }[], traits?: Record<string, unknown>) {
  count = 0;
  const r = await identify(s.santong.ctx.database, s.santong.ctx.keys, { identifiers, traits, channel: 'app' });
  return { trips: count, ...r };
}

describe('round trips of identify()', () => {
  it('two for a known customer, three to create, link, update traits or merge', async () => {
    const phone = { type: 'phone', value: '13911112222' };
    const card = { type: 'member_card', value: `RT-${tag}` };
    const other = { type: 'member_card', value: `RT2-${tag}` };
    expect(await roundTrips([phone])).toMatchObject({ trips: 3, created: true });
    expect(await roundTrips([phone])).toMatchObject({ trips: 2, created: false });
    expect(await roundTrips([phone], { city: '上海' })).toMatchObject({ trips: 3, created: false });
    expect(await roundTrips([phone, card])).toMatchObject({ trips: 3, created: false });
    expect(await roundTrips([other])).toMatchObject({ trips: 3, created: true });
    const m = await roundTrips([phone, other]);
    expect(m).toMatchObject({ trips: 3, created: false });
    expect(m.merged).toHaveLength(1);
  });
});
