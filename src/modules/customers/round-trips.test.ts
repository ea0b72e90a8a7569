import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { ingestEvents } from './events';
import { identify } from './identity';

// Each round trip to PostgreSQL costs more CPU than most of One ID's statements (a writev and a
// wake-up on both sides), so identify() and event ingest keep them few. These figures are what they send today.
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

describe('round trips of an event batch', () => {
  const ev = (i: number, subject: Record<string, unknown>) => ({
    event_id: `rt-${tag}-${i}-${Math.random()}`,
    type: 'page_view',
    occurred_at: new Date().toISOString(),
    channel: 'app',
    properties: { path: '/' },
    ...subject,
  });
  async function batchTrips(events: unknown[]) {
    count = 0;
    const r = await ingestEvents(s.santong.ctx.database, s.santong.ctx.keys, events, null);
    return { trips: count, ...r };
  }

  it('one statement to write a batch of known subjects, three with new profiles or identifiers', async () => {
    const a = await identify(s.santong.ctx.database, s.santong.ctx.keys, {
      identifiers: [{ type: 'phone', value: '13911113333' }],
      channel: 'app',
    });
    const known = [
      ev(1, { customer_id: a.customer_id }),
      ev(2, { identifiers: [{ type: 'phone', value: '13911113333' }] }),
    ];
    // the customer_id lookup and the identifier lookup, then the events INSERT on its own
    expect(await batchTrips(known)).toMatchObject({ trips: 3, accepted: 2 });
    // the anonymous id lookup, then BEGIN, one statement, COMMIT
    expect(
      await batchTrips([ev(3, { anonymous_id: `rt-anon-${tag}` }), ev(4, { anonymous_id: `rt-anon-${tag}` })]),
    ).toMatchObject({ trips: 4, accepted: 2 });
    // the identifier lookup, then BEGIN + locks + check in one script, one statement, COMMIT
    expect(
      await batchTrips([
        ev(5, {
          identifiers: [
            { type: 'phone', value: '13911113333' },
            { type: 'device_id', value: `rt-dev-${tag}` },
          ],
        }),
      ]),
    ).toMatchObject({ trips: 4, accepted: 1 });
  });
});
