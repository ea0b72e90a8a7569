import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config';
import { verifySignature } from '../../platform/events/signature';
import { createLogger } from '../../platform/logging';
import { messageChannelFor } from '../messaging/channel';
import { purgeVerificationsTask } from './verification';
import { defaultScopes } from '../../platform/auth/scopes';
import { isTrustedIdentityCaller } from './trusted-caller';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

const SECRET = 'sms-gateway-secret-for-tests';

/** A stand-in for the SMS / e-mail gateway (a third party): records what it is asked to send. */
class FakeGateway {
  messages: { to: { type: string; value: string }; text: string; signatureOk: boolean }[] = [];
  failNext = 0;
  url = '';
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (this.failNext > 0) {
        this.failNext--;
        res.writeHead(502).end();
        return;
      }
      const m = JSON.parse(body) as { to: { type: string; value: string }; text: string };
      this.messages.push({
        ...m,
        signatureOk: verifySignature(SECRET, body, String(req.headers['x-santong-signature'] ?? '')),
      });
      res.writeHead(200).end('{}');
    });
  });
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/send`;
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
  /** The code in the last message to this (normalised) phone or e-mail. */
  codeFor(value: string): string {
    const m = this.messages.filter((x) => x.to.value === value).at(-1);
    if (!m) throw new Error(`no message to ${value}`);
    return /\d{6}/.exec(m.text)![0];
  }
}

const gateway = new FakeGateway();
let s: TestServer;
let staff: string;
beforeAll(async () => {
  await gateway.start();
  s = await startTestServer({
    startDispatcher: false,
    env: { SANTONG_SMS_WEBHOOK_URL: gateway.url, SANTONG_SMS_WEBHOOK_SECRET: SECRET },
  });
  await setupGoods(s);
  staff = await s.keyFor('store_staff', { location_id: 'mid' });
});
afterAll(async () => {
  await s?.close();
  await gateway.stop();
});

let n = 0;
const phone = () => `1370000${String(++n).padStart(4, '0')}`;
const e164 = (p: string) => `+86${p}`;
const email = () => `member${++n}@example.com`;

const as = (key: string) => ({
  identify: (body: Record<string, unknown>) => s.api('POST', '/v1/identify', { channel: 'pos', ...body }, { key }),
  verify: (type: string, value: string) => s.api('POST', '/v1/verifications', { type, value }, { key }),
});
const byPhone = async (p: string) =>
  (await s.api('GET', `/v1/customers/lookup?type=phone&value=${p}`)).body.id as string | undefined;
const ids = (...pairs: [string, string][]) => pairs.map(([type, value]) => ({ type, value }));

/** A member with an e-mail and a phone, as the app (a trusted caller) signed them up. */
async function member() {
  const [e, p] = [email(), phone()];
  const m = await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: ids(['email', e], ['phone', p]) });
  return { id: m.customer_id as string, email: e, phone: p };
}

/** Asks for a code for a value and reads it off the gateway: {id, code}. */
async function otp(key: string, type: 'phone' | 'email', value: string) {
  const normalised = type === 'phone' ? e164(value) : value.toLowerCase();
  const r = await as(key).verify(type, value);
  expect(r.status).toBe(201);
  return { id: r.body.id as string, code: gateway.codeFor(normalised) };
}

describe('finding 8: attaching a phone to someone else’s member', () => {
  it('store staff cannot: the phone gets a separate profile, not the member found by e-mail', async () => {
    const victim = await member();
    const attacker = phone();
    const r = await as(staff).identify({ identifiers: ids(['email', victim.email], ['phone', attacker]) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: true, merged: [], linked: false, pending_verification: ['email'] });
    expect(r.body.customer_id).not.toBe(victim.id);
    expect(await byPhone(attacker)).toBe(r.body.customer_id);
    const profile = await must(s, 'GET', `/v1/customers/${victim.id}`);
    expect(profile.identifiers.map((i: { value: string }) => i.value).sort()).toEqual(
      [e164(victim.phone), victim.email].sort(),
    );
    // Asking again updates the same separate profile; the attempt is audited.
    const again = await as(staff).identify({
      identifiers: ids(['email', victim.email], ['phone', attacker]),
      traits: { city: '苏州' },
    });
    expect(again.body).toMatchObject({
      customer_id: r.body.customer_id,
      created: false,
      linked: false,
      pending_verification: ['email'],
    });
    expect((await must(s, 'GET', `/v1/customers/${r.body.customer_id}`)).traits.city).toBe('苏州');
    const audit = await s.santong.ctx.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'details'])
      .where('action', '=', 'customer.link_withheld')
      .where('subject', '=', r.body.customer_id)
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      actor_role: 'store_staff',
      details: { not_linked_to: [victim.id], pending_verification: ['email'] },
    });
  });

  it('nor through event ingest, nor with a code sent to the new phone (the caller holds it)', async () => {
    const victim = await member();
    const [viaEvents, viaOwnCode] = [phone(), phone()];
    const ev = await s.api(
      'POST',
      '/v1/events',
      {
        events: [
          {
            event_id: `ev-${viaEvents}`,
            type: 'till_scan',
            occurred_at: new Date().toISOString(),
            channel: 'pos',
            location_id: 'mid',
            identifiers: ids(['email', victim.email], ['phone', viaEvents]),
            properties: {},
          },
        ],
      },
      { key: staff },
    );
    expect(ev.body).toMatchObject({ accepted: 1, rejected: [] });
    expect(await byPhone(viaEvents)).not.toBe(victim.id);

    const own = await otp(staff, 'phone', viaOwnCode);
    const r = await as(staff).identify({
      identifiers: ids(['email', victim.email], ['phone', viaOwnCode]),
      verification: own,
    });
    expect(r.body).toMatchObject({ linked: false, pending_verification: ['email'] });
    expect(await byPhone(viaOwnCode)).toBe(r.body.customer_id);
    const separate = await must(s, 'GET', `/v1/customers/${r.body.customer_id}`);
    expect(separate.identifiers).toEqual([expect.objectContaining({ type: 'phone', verified_by: 'otp' })]);
  });

  it('links with a one-time code sent to the member’s e-mail, and marks that e-mail verified', async () => {
    const m = await member();
    const newPhone = phone();
    const v = await otp(staff, 'email', m.email.toUpperCase());
    const sent = gateway.messages.at(-1)!;
    expect(sent).toMatchObject({ to: { type: 'email', value: m.email }, signatureOk: true });
    const stored = await s.santong.ctx.database.db
      .selectFrom('identity_verifications')
      .selectAll()
      .where('id', '=', v.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(v.code);
    expect(JSON.stringify(stored)).not.toContain(m.email);

    const r = await as(staff).identify({ identifiers: ids(['email', m.email], ['phone', newPhone]), verification: v });
    expect(r.body).toEqual({ customer_id: m.id, created: false, merged: [] });
    expect(await byPhone(newPhone)).toBe(m.id);
    const how = Object.fromEntries(
      (await must(s, 'GET', `/v1/customers/${m.id}`)).identifiers.map((i: { value: string; verified_by: string }) => [
        i.value,
        i.verified_by,
      ]),
    );
    expect(how).toEqual({ [m.email]: 'otp', [e164(m.phone)]: 'self_asserted', [e164(newPhone)]: 'self_asserted' });
    // A code is good once.
    const reuse = await as(staff).identify({
      identifiers: ids(['email', m.email], ['phone', phone()]),
      verification: v,
    });
    expect(reuse.status).toBe(422);
    expect(reuse.body.error).toMatchObject({ code: 'verification_used', field: 'verification.id' });
  });

  it('a trusted app key links directly and may say how it verified; a POS integration key may not', async () => {
    const m = await member();
    const [p1, p2] = [phone(), phone()];
    const app = await s.keyFor('integration', { channel: 'app' });
    const r = await s.api(
      'POST',
      '/v1/identify',
      {
        channel: 'app',
        identifiers: [
          { type: 'email', value: m.email },
          { type: 'phone', value: p1, verified_by: 'wechat_login' },
        ],
      },
      { key: app },
    );
    expect(r.body).toEqual({ customer_id: m.id, created: false, merged: [] });
    const stored = (await must(s, 'GET', `/v1/customers/${m.id}`)).identifiers.find(
      (i: { value: string }) => i.value === e164(p1),
    );
    expect(stored.verified_by).toBe('wechat_login');

    const pos = await s.keyFor('integration', { channel: 'pos' });
    const untrusted = await as(pos).identify({ identifiers: ids(['email', m.email], ['phone', p2]) });
    expect(untrusted.body).toMatchObject({ linked: false, pending_verification: ['email'] });
    const claims = await as(staff).identify({
      identifiers: [
        { type: 'email', value: m.email },
        { type: 'phone', value: p2, verified_by: 'otp' },
      ],
    });
    expect(claims.status).toBe(403);
    expect(claims.body.error).toMatchObject({ code: 'verification_not_trusted', field: 'identifiers[1].verified_by' });
  });
});

describe('the separate profile and merges', () => {
  it('merges into the member once both are verified, or when a trusted caller links them', async () => {
    const m = await member();
    const p = phone();
    const first = await as(staff).identify({ identifiers: ids(['email', m.email], ['phone', p]) });
    const separate = first.body.customer_id as string;
    // The member's code alone does not take the separate profile (it may be someone else's).
    const onlyMember = await as(staff).identify({
      identifiers: ids(['email', m.email], ['phone', p]),
      verification: await otp(staff, 'email', m.email),
    });
    expect(onlyMember.body).toMatchObject({
      customer_id: m.id,
      merged: [],
      linked: false,
      pending_verification: ['phone'],
    });
    const both = await as(staff).identify({
      identifiers: ids(['email', m.email], ['phone', p]),
      verification: [await otp(staff, 'email', m.email), await otp(staff, 'phone', p)],
    });
    expect(both.body).toEqual({
      customer_id: m.id,
      created: false,
      merged: [{ from: separate, into: m.id, merge_id: expect.any(String) }],
    });
    expect(await byPhone(p)).toBe(m.id);

    const m2 = await member();
    const p2 = phone();
    const pending = (await as(staff).identify({ identifiers: ids(['email', m2.email], ['phone', p2]) })).body
      .customer_id;
    const app = await s.keyFor('integration', { channel: 'mini_program' });
    const linked = await s.api(
      'POST',
      '/v1/identify',
      { channel: 'mini_program', identifiers: ids(['phone', p2], ['email', m2.email]) },
      { key: app },
    );
    expect(linked.body.merged).toEqual([{ from: pending, into: m2.id, merge_id: expect.any(String) }]);
  });

  it('gives racing unverified calls one separate profile', async () => {
    const m = await member();
    const p = phone();
    const body = { identifiers: ids(['email', m.email], ['phone', p]) };
    const results = await Promise.all(Array.from({ length: 6 }, () => as(staff).identify(body)));
    expect(new Set(results.map((r) => r.body.customer_id)).size).toBe(1);
    expect(results.filter((r) => r.body.created)).toHaveLength(1);
    expect(results[0].body.customer_id).not.toBe(m.id);
  });

  it('does not let store staff fuse two members by their own identifiers', async () => {
    const [a, b] = [await member(), await member()];
    const r = await as(staff).identify({ identifiers: ids(['phone', a.phone], ['phone', b.phone]) });
    expect(r.body).toMatchObject({
      customer_id: b.id,
      created: false,
      merged: [],
      linked: false,
      pending_verification: ['phone'],
    });
    expect(await byPhone(a.phone)).toBe(a.id);
    // A known member alone, or with a new device, needs nothing.
    expect(
      (await as(staff).identify({ identifiers: ids(['phone', a.phone], ['device_id', `till-${a.phone}`]) })).body,
    ).toEqual({
      customer_id: a.id,
      created: false,
      merged: [],
    });
  });
});

describe('one-time codes', () => {
  it('refuses a wrong code naming verification.code, then locks after 5 attempts', async () => {
    const m = await member();
    const v = await otp(staff, 'email', m.email);
    const body = { identifiers: ids(['email', m.email], ['phone', phone()]) };
    const wrong = String((Number(v.code) + 1) % 1_000_000).padStart(6, '0');
    const first = await as(staff).identify({ ...body, verification: { id: v.id, code: wrong } });
    expect(first.status).toBe(422);
    expect(first.body.error).toMatchObject({ code: 'wrong_code', field: 'verification.code', attempts_left: 4 });
    for (let k = 0; k < 4; k++)
      expect((await as(staff).identify({ ...body, verification: { id: v.id, code: wrong } })).status).toBe(422);
    const locked = await as(staff).identify({ ...body, verification: v });
    expect(locked.body.error).toMatchObject({ code: 'too_many_attempts', field: 'verification.code' });
    const inArray = await as(staff).identify({
      ...body,
      verification: [await otp(staff, 'email', m.email), { id: v.id, code: v.code }],
    });
    expect(inArray.body.error).toMatchObject({ code: 'too_many_attempts', field: 'verification[1].code' });
  });

  it('refuses an expired code, another identifier’s code and another key’s code', async () => {
    const m = await member();
    const body = { identifiers: ids(['email', m.email], ['phone', phone()]) };
    const expired = await otp(staff, 'email', m.email);
    await s.santong.ctx.database.db
      .updateTable('identity_verifications')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expired.id)
      .execute();
    expect((await as(staff).identify({ ...body, verification: expired })).body.error).toMatchObject({
      code: 'verification_expired',
      field: 'verification.id',
    });
    const other = await otp(staff, 'email', email());
    expect((await as(staff).identify({ ...body, verification: other })).body.error).toMatchObject({
      code: 'verification_mismatch',
      field: 'verification.id',
    });
    const mine = await otp(staff, 'email', m.email);
    const support = await s.keyFor('support');
    const stolen = await as(support).identify({ ...body, verification: mine });
    expect(stolen.body.error).toMatchObject({ code: 'unknown_verification', field: 'verification.id' });
    expect((await as(staff).identify({ ...body, verification: mine })).body).toMatchObject({
      customer_id: m.id,
      merged: [],
    });
  });

  it('limits codes per value, names a bad value, answers 503 when the gateway fails', async () => {
    const p = phone();
    for (let k = 0; k < 5; k++) expect((await as(staff).verify('phone', p)).status).toBe(201);
    const sixth = await as(staff).verify('phone', p);
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toMatchObject({ code: 'too_many_verifications', field: 'value' });
    const bad = await as(staff).verify('phone', '12345');
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe('value');
    expect((await as(staff).verify('device_id', 'x')).status).toBe(400);
    gateway.failNext = 1;
    const down = await as(staff).verify('phone', phone());
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('messaging_unavailable');
    expect(
      (await s.api('POST', '/v1/verifications', { type: 'phone', value: phone() }, { key: await s.keyFor('marketer') }))
        .status,
    ).toBe(403);
  });

  it('forgets codes a day old', async () => {
    const db = s.santong.ctx.database.db;
    const [old, fresh] = [await otp(staff, 'phone', phone()), await otp(staff, 'phone', phone())];
    await db
      .updateTable('identity_verifications')
      .set({ created_at: new Date(Date.now() - 25 * 3600 * 1000) })
      .where('id', '=', old.id)
      .execute();
    await purgeVerificationsTask(s.santong.ctx.database);
    const left = await db
      .selectFrom('identity_verifications')
      .select('id')
      .where('id', 'in', [old.id, fresh.id])
      .execute();
    expect(left.map((r) => r.id)).toEqual([fresh.id]);
  });

  it('has no message channel in production without a gateway; prints codes only in development', () => {
    const log = createLogger('silent');
    expect(messageChannelFor(loadConfig({ NODE_ENV: 'production' }), log)).toBeNull();
    expect(messageChannelFor(loadConfig({}), log)?.name).toBe('log');
    expect(() =>
      messageChannelFor(
        loadConfig({ SANTONG_SMS_WEBHOOK_URL: 'http://127.0.0.1:1/x', SANTONG_SMS_WEBHOOK_SECRET: 'short' }),
        log,
      ),
    ).toThrow(/at least 16/);
  });
});

describe('who is trusted, and production without a gateway', () => {
  it('trusts admin keys and integration keys with identity:trusted (by default the login channels), never staff', () => {
    const p = (role: string, channel: string | null, scopes?: string[]) =>
      isTrustedIdentityCaller({
        keyId: 'k',
        name: 'k',
        role: role as 'admin',
        locationId: null,
        channel: channel as 'app',
        scopes: scopes ?? defaultScopes(role as 'admin', channel as 'app'),
      });
    expect([
      p('admin', null),
      p('integration', 'app'),
      p('integration', 'mini_program'),
      p('integration', 'web'),
    ]).toEqual([true, true, true, true]);
    expect([
      p('integration', 'pos'),
      p('integration', 'group_buy'),
      p('store_staff', null),
      p('support', null),
    ]).toEqual([false, false, false, false]);
    expect([
      p('integration', 'app', []),
      p('integration', 'pos', ['identity:trusted']),
      p('store_staff', null, ['identity:trusted']),
    ]).toEqual([false, true, false]);
  });

  it('answers 503 messaging_unavailable for a code when no gateway is configured', async () => {
    const bare = await startTestServer({ startDispatcher: false });
    try {
      const r = await bare.api('POST', '/v1/verifications', { type: 'phone', value: phone() });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('messaging_unavailable');
      expect(await bare.santong.ctx.database.db.selectFrom('identity_verifications').select('id').execute()).toEqual(
        [],
      );
    } finally {
      await bare.close();
    }
  });
});
