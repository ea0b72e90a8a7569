import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../../test/fixtures/goods';
import { FakeMessageGateway } from '../../../test/fixtures/message-gateway';
import { TEST_DB } from '../../../test/db';
import { startSecondProcess } from '../../../test/second-process';
import { startTestServer, type TestServer } from '../../../test/server';
import { transact } from '../../platform/db/transaction';
import { SafeHttpClient } from '../../platform/net/safe-url';
import { cancelQueuedMessages, messageCountsByJourney, queueMessage } from './public';
import { sendDueMessages } from './sender';

const SECRET = 'gateway-shared-secret-42';
const gateway = new FakeMessageGateway(SECRET);
let s: TestServer;
const extraHttp: SafeHttpClient[] = [];

beforeAll(async () => {
  await gateway.start();
  // The sender is driven by the tests (sendNow); one test at the end starts the dispatcher's own task.
  s = await startTestServer({
    startDispatcher: false,
    env: { SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1', SANTONG_MESSAGE_RETRY_SECONDS: '0,0,0,0' },
  });
  await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: null });
  await must(s, 'PUT', '/v1/message-channels/sms', { adapter: 'webhook', url: gateway.url, secret: SECRET });
});
afterAll(async () => {
  await s?.close();
  for (const h of extraHttp) h.close();
  await gateway.stop();
});

const rand = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');
const newId = () => `msg-${crypto.randomUUID()}`;

/** A person with a phone (and an openid when asked), granted the listed consents. */
async function person(o: { consents?: string[]; phone?: boolean; openid?: boolean } = {}) {
  const phone = `15${rand(9)}`;
  const identifiers = [
    ...(o.phone === false ? [] : [{ type: 'phone', value: phone }]),
    ...(o.openid ? [{ type: 'wechat_openid', value: `oW-${rand(12)}` }] : []),
    ...(identifiersEmpty(o) ? [{ type: 'member_card', value: `MC-${rand(10)}` }] : []),
  ];
  const id = (await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers })).customer_id as string;
  for (const purpose of o.consents ?? ['marketing_sms'])
    await must(s, 'PUT', `/v1/customers/${id}/consents/${purpose}`, { granted: true, channel: 'app', source: 'test' });
  return { id, phone: `+86${phone}` };
}
const identifiersEmpty = (o: { phone?: boolean; openid?: boolean }) => o.phone === false && !o.openid;

type QueueInput = Parameters<typeof queueMessage>[1];
const queue = (m: Partial<QueueInput> & { customerId: string }) =>
  transact(s.santong.ctx.database, (tx) =>
    queueMessage(tx, { messageId: newId(), channel: 'sms', text: '亲爱的会员，老客回归券已到账', ...m }),
  );

/** One pass of a sender, as a server's dispatcher task runs it. */
function sendNow(http = s.santong.ctx.dispatcher.http) {
  const ctx = s.santong.ctx;
  return sendDueMessages({
    database: ctx.database,
    keys: ctx.keys,
    log: ctx.log,
    http,
    retrySeconds: ctx.config.messageRetrySeconds,
  });
}

async function message(id: string) {
  const all = await must(s, 'GET', `/v1/messages?limit=200`);
  return (all.items as { id: string }[]).find((m) => m.id === id) as Record<string, any>;
}

/**
 * Every message delivered, and posted to the gateway no more often than its recorded attempts,
 * always with its own Idempotency-Key: a message two senders claimed at once would be posted twice
 * on one attempt. (A request that timed out under load is retried: a second attempt, same key.)
 */
async function expectHandedOnceEach(ids: string[]) {
  const rows = await s.santong.ctx.database.db
    .selectFrom('messages')
    .select(['id', 'status', 'attempts'])
    .where('id', 'in', ids)
    .execute();
  expect(rows).toHaveLength(ids.length);
  for (const r of rows) {
    const posted = gateway.of(r.id);
    expect({ id: r.id, status: r.status }).toEqual({ id: r.id, status: 'delivered' });
    expect(posted.length).toBeGreaterThanOrEqual(1);
    expect(posted.length).toBeLessThanOrEqual(r.attempts);
    expect(new Set(posted.map((p) => p.idempotencyKey))).toEqual(new Set([r.id]));
  }
}

describe('message channels', () => {
  it('keeps the webhook secret sealed and never returns it; audits changes; validates', async () => {
    const list = await must(s, 'GET', '/v1/message-channels');
    expect(list.items).toHaveLength(4);
    expect(list.items.find((c: { channel: string }) => c.channel === 'sms')).toMatchObject({
      channel: 'sms',
      adapter: 'webhook',
      url: gateway.url,
      configured: true,
    });
    expect(list.items.find((c: { channel: string }) => c.channel === 'email')).toMatchObject({
      adapter: 'log',
      configured: false,
    });
    expect(JSON.stringify(list)).not.toContain(SECRET);
    const stored = await s.santong.ctx.database.db
      .selectFrom('message_channels')
      .select('secret_sealed')
      .where('channel', '=', 'sms')
      .executeTakeFirstOrThrow();
    expect(stored.secret_sealed!.toString('latin1')).not.toContain(SECRET);
    const audited = await s.santong.ctx.database.db
      .selectFrom('audit_log')
      .select(['subject', 'details'])
      .where('action', '=', 'messaging.channel')
      .execute();
    expect(audited.map((a) => a.subject)).toContain('sms');
    expect(JSON.stringify(audited)).not.toContain(SECRET);

    const noUrl = await s.api('PUT', '/v1/message-channels/push', { adapter: 'webhook', secret: SECRET });
    expect(noUrl.status).toBe(422);
    expect(noUrl.body.error.field).toBe('url');
    const shortSecret = await s.api('PUT', '/v1/message-channels/push', {
      adapter: 'webhook',
      url: gateway.url,
      secret: 'x',
    });
    expect(shortSecret.status).toBe(400);
    expect((await s.api('PUT', '/v1/message-channels/fax', { adapter: 'log' })).status).toBe(400);
    const marketer = await s.keyFor('marketer');
    expect((await s.api('PUT', '/v1/message-channels/push', { adapter: 'log' }, { key: marketer })).status).toBe(403);
    expect((await s.api('GET', '/v1/message-channels', undefined, { key: marketer })).status).toBe(403);
  });

  it('settings: defaults, validation, null turns a rule off', async () => {
    const bad = await s.api('PUT', '/v1/settings/messaging', {
      quiet_hours: { start: '21:00', end: '21:00' },
      frequency_cap: null,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('quiet_hours.end');
    expect(
      (
        await s.api('PUT', '/v1/settings/messaging', {
          quiet_hours: { start: '25:00', end: '09:00' },
          frequency_cap: null,
        })
      ).status,
    ).toBe(400);
    expect(await must(s, 'GET', '/v1/settings/messaging')).toEqual({ quiet_hours: null, frequency_cap: null });
  });
});

describe('sending through the webhook adapter', () => {
  it('delivers signed, with Idempotency-Key = message_id and the decrypted address; the log shows it masked', async () => {
    const p = await person();
    const q = await queue({ customerId: p.id, journeyId: 'jrn_winback', stepId: 'send' });
    expect(q).toEqual({ messageId: q.messageId, status: 'queued', sendAfter: expect.any(String) });
    const counts = await sendNow();
    expect(counts.delivered).toBeGreaterThanOrEqual(1);
    const [req] = gateway.of(q.messageId);
    expect(req.signatureOk).toBe(true);
    expect(req.idempotencyKey).toBe(q.messageId);
    expect(req.message).toEqual({
      message_id: q.messageId,
      channel: 'sms',
      customer_id: p.id,
      to: p.phone,
      text: '亲爱的会员，老客回归券已到账',
      journey_id: 'jrn_winback',
      step_id: 'send',
      created_at: expect.any(String),
    });
    const m = await message(q.messageId);
    expect(m).toMatchObject({ status: 'delivered', attempts: 1, customer_id: p.id, journey_id: 'jrn_winback' });
    expect(m.to).toBe(`${p.phone.slice(3, 6)}****${p.phone.slice(-4)}`);
    expect(JSON.stringify(await must(s, 'GET', `/v1/messages?customer_id=${p.id}`))).not.toContain(p.phone.slice(3));
    expect(await messageCountsByJourney(s.santong.ctx.database.db, 'jrn_winback')).toEqual({
      sent: 1,
      delivered: 1,
      failed: 0,
      suppressed: 0,
    });
  });

  it('retries a refused message with the same message_id until delivered', async () => {
    const p = await person();
    const q = await queue({ customerId: p.id });
    gateway.failNext = 2;
    for (let i = 0; i < 3; i++) await sendNow();
    const reqs = gateway.of(q.messageId);
    expect(reqs.map((r) => r.answered)).toEqual([503, 503, 200]);
    expect(new Set(reqs.map((r) => r.idempotencyKey))).toEqual(new Set([q.messageId]));
    expect(await message(q.messageId)).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
  });

  it('gives up after 5 attempts: failed', async () => {
    const p = await person();
    const q = await queue({ customerId: p.id, journeyId: 'jrn_fail' });
    gateway.failNext = 100;
    for (let i = 0; i < 7; i++) await sendNow();
    gateway.failNext = 0;
    expect(gateway.of(q.messageId)).toHaveLength(5);
    expect(await message(q.messageId)).toMatchObject({
      status: 'failed',
      attempts: 5,
      last_error: 'HTTP 503',
      next_attempt_at: null,
    });
    expect(await messageCountsByJourney(s.santong.ctx.database.db, 'jrn_fail')).toEqual({
      sent: 1,
      delivered: 0,
      failed: 1,
      suppressed: 0,
    });
  });

  it('the log adapter (the default) only records: sent, nothing posted', async () => {
    const p = await person({ consents: ['marketing_wechat'], openid: true });
    const q = await queue({ customerId: p.id, channel: 'wechat' });
    await sendNow();
    expect(gateway.of(q.messageId)).toEqual([]);
    expect(await message(q.messageId)).toMatchObject({ status: 'sent', attempts: 1, next_attempt_at: null });
  });

  it('two senders at once never hand a message over twice (SKIP LOCKED)', async () => {
    const p = await Promise.all(Array.from({ length: 4 }, () => person()));
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await queue({ customerId: p[i % 4].id })).messageId);
    const second = new SafeHttpClient(true);
    extraHttp.push(second);
    const [a, b] = await Promise.all([sendNow(), sendNow(second)]);
    await sendNow();
    expect(a.handed + b.handed).toBeGreaterThanOrEqual(20);
    await expectHandedOnceEach(ids);
  });
});

describe('suppression and delay', () => {
  it('no_consent, no_address, frequency_cap are decided when queued', async () => {
    const noConsent = await person({ consents: [] });
    expect(await queue({ customerId: noConsent.id })).toMatchObject({ status: 'suppressed', reason: 'no_consent' });
    const noPhone = await person({ phone: false });
    expect(await queue({ customerId: noPhone.id })).toMatchObject({ status: 'suppressed', reason: 'no_address' });
    expect(await queue({ customerId: 'cus_unknown' })).toMatchObject({ status: 'suppressed' });

    await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: { max: 2, days: 7 } });
    try {
      const p = await person({ consents: ['marketing_sms', 'marketing_wechat'], openid: true });
      expect((await queue({ customerId: p.id, journeyId: 'a' })).status).toBe('queued');
      expect((await queue({ customerId: p.id, journeyId: 'b' })).status).toBe('queued');
      const third = await queue({ customerId: p.id, journeyId: 'c' });
      expect(third).toEqual({ messageId: third.messageId, status: 'suppressed', reason: 'frequency_cap' });
      // per channel: WeChat is a separate budget
      expect((await queue({ customerId: p.id, channel: 'wechat' })).status).toBe('queued');
      // a message older than the window no longer counts
      const later = new Date(Date.now() + 8 * 86_400_000);
      expect((await queue({ customerId: p.id, now: later })).status).toBe('queued');
      const log = await must(s, 'GET', `/v1/messages?customer_id=${p.id}&status=suppressed`);
      expect(log.items.map((m: { reason: string }) => m.reason)).toEqual(['frequency_cap']);
    } finally {
      await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: null });
    }
  });

  it("quiet hours delay a message to the window's end in the retailer's time zone (Asia/Shanghai)", async () => {
    await must(s, 'PUT', '/v1/settings/messaging', {
      quiet_hours: { start: '21:00', end: '09:00' },
      frequency_cap: null,
    });
    try {
      const p = await person();
      // 22:00 local → 09:00 the next morning; 08:30 local → 09:00 the same day; 20:00 local → at once
      const night = await queue({ customerId: p.id, now: new Date('2026-01-10T14:00:00Z') });
      expect(night).toMatchObject({ status: 'queued', sendAfter: '2026-01-11T01:00:00.000Z' });
      const morning = await queue({ customerId: p.id, now: new Date('2026-01-10T00:30:00Z') });
      expect(morning.sendAfter).toBe('2026-01-10T01:00:00.000Z');
      const evening = await queue({ customerId: p.id, now: new Date('2026-01-10T12:00:00Z') });
      expect(evening.sendAfter).toBe('2026-01-10T12:00:00.000Z');
      const future = await queue({ customerId: p.id, now: new Date(Date.now() + 86_400_000 * 3) });
      await sendNow();
      // the delayed messages whose time has come went out; one not yet due stays queued
      expect(gateway.of(night.messageId)).toHaveLength(1);
      if (new Date(future.sendAfter!).getTime() > Date.now()) {
        expect(gateway.of(future.messageId)).toEqual([]);
        expect((await message(future.messageId)).status).toBe('queued');
      }
    } finally {
      await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: null });
    }
  });

  it('consent withdrawn between queue and send: suppressed no_consent, nothing posted', async () => {
    const p = await person();
    const q = await queue({ customerId: p.id });
    expect(q.status).toBe('queued');
    await must(s, 'PUT', `/v1/customers/${p.id}/consents/marketing_sms`, {
      granted: false,
      channel: 'app',
      source: 'unsubscribe_link',
    });
    await sendNow();
    expect(gateway.of(q.messageId)).toEqual([]);
    expect(await message(q.messageId)).toMatchObject({ status: 'suppressed', reason: 'no_consent', attempts: 0 });
  });
});

describe('idempotence, pausing, erasure', () => {
  it('queueMessage is idempotent on messageId', async () => {
    const p = await person();
    const id = newId();
    const first = await queue({ customerId: p.id, messageId: id });
    const again = await queue({ customerId: p.id, messageId: id, text: 'another text' });
    expect(again).toEqual(first);
    const log = await must(s, 'GET', `/v1/messages?customer_id=${p.id}`);
    expect(log.items).toHaveLength(1);
    expect(log.items[0].text).toBe('亲爱的会员，老客回归券已到账');
  });

  it('pausing a journey suppresses its queued messages (journey_paused)', async () => {
    const p = await person();
    const q = await queue({ customerId: p.id, journeyId: 'jrn_paused' });
    const other = await queue({ customerId: p.id, journeyId: 'jrn_other' });
    expect(await transact(s.santong.ctx.database, (tx) => cancelQueuedMessages(tx, { journeyId: 'jrn_paused' }))).toBe(
      1,
    );
    await sendNow();
    expect(gateway.of(q.messageId)).toEqual([]);
    expect(gateway.of(other.messageId)).toHaveLength(1);
    expect(await message(q.messageId)).toMatchObject({ status: 'suppressed', reason: 'journey_paused' });
    // the step retried after the pause gets the first answer again and queues nothing
    expect(await queue({ customerId: p.id, journeyId: 'jrn_paused', messageId: q.messageId })).toEqual(q);
    expect(await messageCountsByJourney(s.santong.ctx.database.db, 'jrn_paused')).toEqual({
      sent: 0,
      delivered: 0,
      failed: 0,
      suppressed: 1,
    });
  });

  it("an erased customer's queued messages are suppressed and no longer name them", async () => {
    const p = await person();
    const q = await queue({ customerId: p.id, text: `提货码已发送到 ${p.phone.slice(3)}` });
    expect((await s.api('DELETE', `/v1/customers/${p.id}`)).status).toBe(202);
    await sendNow();
    expect(gateway.of(q.messageId)).toEqual([]);
    const m = await message(q.messageId);
    expect(m).toMatchObject({ status: 'suppressed', reason: 'erased', to: null });
    expect(m.customer_id).not.toBe(p.id);
    expect(m.text).not.toContain(p.phone.slice(3));
  });
});

describe('the message log', () => {
  it('pages newest first; marketers read it', async () => {
    const p = await person();
    for (let i = 0; i < 3; i++)
      await queue({ customerId: p.id, journeyId: 'jrn_page', now: new Date(Date.now() + i * 1000) });
    const one = await must(s, 'GET', '/v1/messages?journey_id=jrn_page&limit=2');
    expect(one.items).toHaveLength(2);
    const two = await must(s, 'GET', `/v1/messages?journey_id=jrn_page&limit=2&cursor=${one.next_cursor}`);
    expect(two.items).toHaveLength(1);
    expect(two.next_cursor).toBeNull();
    const times = [...one.items, ...two.items].map((m: { created_at: string }) => m.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    const marketer = await s.keyFor('marketer');
    expect((await s.api('GET', '/v1/messages', undefined, { key: marketer })).status).toBe(200);
    expect((await s.api('GET', '/v1/messages?cursor=abc')).status).toBe(400);
  });

  it("the dispatcher's task sends what is due", async () => {
    const p = await person();
    const q = await queue({ customerId: p.id });
    s.santong.ctx.dispatcher.start();
    const until = Date.now() + 10_000;
    while (Date.now() < until && (await message(q.messageId)).status !== 'delivered')
      await new Promise((r) => setTimeout(r, 50));
    expect(await message(q.messageId)).toMatchObject({ status: 'delivered' });
    expect(gateway.of(q.messageId)).toHaveLength(1);
  });

  it.skipIf(TEST_DB !== 'postgres')(
    'two server processes share the sending: every message handed over once',
    async () => {
      const second = await startSecondProcess(s, {
        SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1',
        SANTONG_MESSAGE_RETRY_SECONDS: '0,0,0,0',
        SANTONG_DISPATCH_INTERVAL_MS: '20',
      });
      try {
        const p = await Promise.all(Array.from({ length: 8 }, () => person()));
        const ids: string[] = [];
        await transact(s.santong.ctx.database, async (tx) => {
          for (let i = 0; i < 80; i++)
            ids.push(
              (
                await queueMessage(tx, {
                  messageId: newId(),
                  customerId: p[i % 8].id,
                  channel: 'sms',
                  text: `第 ${i} 条`,
                })
              ).messageId,
            );
        });
        const db = s.santong.ctx.database.db;
        const until = Date.now() + 60_000;
        const pending = async () =>
          (
            await db
              .selectFrom('messages')
              .select('id')
              .where('id', 'in', ids)
              .where('status', '!=', 'delivered')
              .execute()
          ).length;
        while (Date.now() < until && (await pending()) > 0) await new Promise((r) => setTimeout(r, 100));
        await expectHandedOnceEach(ids);
      } finally {
        await second.stop();
      }
    },
  );
});
