import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { createLogger, loggableError } from '../logging';

// Issue 12, findings 10 (500s on crafted input), 11 (values in logs), 12 (empty reveal reasons)
// and the contact data of finding 5 in free text.

const PHONE = '13912345678';
const logged: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logged.push(chunk.toString('utf8'));
    done();
  },
});
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, logger: createLogger('info', sink) });
  await setupGoods(s, { mid: { MILK: 50 } });
});
afterAll(async () => s?.close());

const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const expectField = (r: { status: number; body: any }, status: number, field: string) => {
  expect(r.status).toBe(status);
  expect(r.body.error.field).toBe(field);
};

describe('crafted input is a 4xx naming the field (finding 10)', () => {
  it('refuses lone surrogates in trait values and keys', async () => {
    const base = { channel: 'app', identifiers: [{ type: 'member_card', value: 'MC-SURROGATE-1' }] };
    expectField(await s.api('POST', '/v1/identify', { ...base, traits: { city: 'x\ud800y' } }), 400, 'traits.city');
    const key = await s.api('POST', '/v1/identify', { ...base, traits: { ['k\udc00']: 'v' } });
    expect(key.status).toBe(400);
    expect(key.body.error.field).toMatch(/^traits\.k/);
    expectField(
      await s.api('POST', '/v1/orders', {
        channel: 'pos',
        note: 'ok \ud83d',
        lines: [{ sku: 'MILK', qty: 1 }],
        fulfillment: { type: 'in_store', location_id: 'mid' },
      }),
      400,
      'note',
    );
  });

  it('refuses cursors that are not ours', async () => {
    for (const c of [cursor(['not a date', 'ord_x']), cursor(['1', 'ord_x']), cursor([{}, 'x']), 'bm90IGpzb24']) {
      expectField(await s.api('GET', `/v1/orders?cursor=${c}`), 400, 'cursor');
    }
    const c = (
      await must(s, 'POST', '/v1/identify', {
        channel: 'app',
        identifiers: [{ type: 'member_card', value: 'MC-CURSOR-1' }],
      })
    ).customer_id;
    for (const bad of [cursor([1, 2, 'a\u0000b']), cursor([1, 2, 'a\ud800']), cursor([1e300, 2, 'x'])]) {
      expectField(await s.api('GET', `/v1/customers/${c}/timeline?cursor=${bad}`), 400, 'cursor');
    }
    expectField(await s.api('GET', `/v1/customers?cursor=${cursor(['\u0000'])}`), 400, 'cursor');
  });

  it('refuses JSON nested deeper than 32 levels before parsing it', async () => {
    const deep = `{"events":[{"event_id":"e1","properties":${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}}]}`;
    expectField(await s.api('POST', '/v1/events', undefined, { raw: deep }), 400, 'body');
    const arrays = `{"events":${'['.repeat(10000)}${']'.repeat(10000)}}`;
    expectField(await s.api('POST', '/v1/events', undefined, { raw: arrays }), 400, 'body');
    // brackets inside strings do not count
    const ok = await s.api('POST', '/v1/events', {
      events: [
        {
          event_id: 'e-brackets',
          type: 'custom.x',
          occurred_at: new Date().toISOString(),
          channel: 'app',
          anonymous_id: 'anon-brackets',
          properties: { s: '['.repeat(100) },
        },
      ],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(1);
  });
});

describe('free text does not carry contact data (finding 5)', () => {
  it('refuses a phone number or e-mail address in an order note or a cancel reason with 422', async () => {
    const order = {
      channel: 'pos',
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    };
    for (const note of [`call ${PHONE}`, '请致电 139 1234 5678', '１３９１２３４５６７８', 'mail me: a.b@example.cn']) {
      const r = await s.api('POST', '/v1/orders', { ...order, note });
      expectField(r, 422, 'note');
      expect(r.body.error.code).toBe('contact_data_in_free_text');
    }
    const placed = await must(s, 'POST', '/v1/orders', {
      ...order,
      channel: 'app',
      fulfillment: { type: 'pickup', location_id: 'mid' },
      note: 'leave at the desk',
    });
    expectField(
      await s.api('POST', `/v1/orders/${placed.id}/cancel`, { reason: `王小明 ${PHONE} changed his mind` }),
      422,
      'reason',
    );
    expect((await s.api('POST', `/v1/orders/${placed.id}/cancel`, { reason: 'changed his mind' })).status).toBe(200);
  });
});

describe('reveal reasons say something (finding 12)', () => {
  it('refuses invisible characters, punctuation and repeats', async () => {
    const c = (
      await must(s, 'POST', '/v1/identify', {
        channel: 'app',
        identifiers: [{ type: 'member_card', value: 'MC-REVEAL-1' }],
      })
    ).customer_id;
    for (const reason of [
      '\u200b'.repeat(5),
      '.....',
      '\u200b\u200c\u200d\u2060\ufeff.....!!!',
      'aaaaaaaa',
      '12345678',
      'a.b.c.d',
    ]) {
      expectField(await s.api('POST', `/v1/customers/${c}/reveal`, { type: 'member_card', reason }), 400, 'reason');
    }
    expectField(
      await s.api('POST', `/v1/customers/${c}/reveal`, { type: 'member_card', reason: `customer calls from ${PHONE}` }),
      422,
      'reason',
    );
    expect(
      (await s.api('POST', `/v1/customers/${c}/reveal`, { type: 'member_card', reason: '顾客来电核实会员卡号' }))
        .status,
    ).toBe(200);
  });
});

describe('logs carry no values (finding 11)', () => {
  it('logs the route pattern of unmatched and matched routes, never the path or query', async () => {
    expect((await s.api('GET', `/v1/customers/lookup/${PHONE}`)).status).toBe(404);
    expect((await s.api('GET', `/nothing/${PHONE}?email=a%40b.cn`)).status).toBe(404);
    expect((await s.api('GET', `/v1/customers/lookup?type=phone&value=${PHONE}`)).status).toBe(404);
    const text = logged.join('');
    expect(text).toContain('"route":"(unmatched)"');
    expect(text).toContain('"route":"/v1/customers/lookup"');
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain('a%40b.cn');
  });

  it('describes a database error by SQLSTATE and constraint, without the values', async () => {
    const db = s.santong.ctx.database.db;
    const id = `cus_${PHONE}`;
    await sql`INSERT INTO customers (id, created_at, traits, trait_seen, kind) VALUES (${id}, now(), '{}', '{}', 'known')`.execute(
      db,
    );
    const err =
      await sql`INSERT INTO customers (id, created_at, traits, trait_seen, kind) VALUES (${id}, now(), '{}', '{}', 'known')`
        .execute(db)
        .catch((e: unknown) => e);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).toContain(PHONE); // the raw error quotes the value
    const entry = loggableError(err);
    expect(entry).toMatchObject({ code: '23505', constraint: 'customers_pkey' });
    expect(JSON.stringify(entry)).not.toContain(PHONE);
  });
});
