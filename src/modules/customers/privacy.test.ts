import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../../platform/db/schema';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { isGranted } from './consent';

let s: TestServer;
let db: Kysely<DB>;
beforeAll(async () => {
  // its erasure test registers a webhook on 127.0.0.1 (refused in production without this)
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1' } });
  db = s.santong.ctx.database.db;
  await setupGoods(s, {
    mid: { MILK: 500, CHIPS: 500 },
    near: { MILK: 500, CHIPS: 500 },
    dc1: { MILK: 500, CHIPS: 500 },
  });
});
afterAll(async () => s?.close());

const rand = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');
/** A fresh, valid mainland mobile number (11 digits, 15x...). */
const phone = () => `15${rand(9)}`;
const identify = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  headers
    ? s.api('POST', '/v1/identify', { channel: 'app', ...body }, { headers }).then((r) => r.body)
    : must(s, 'POST', '/v1/identify', { channel: 'app', ...body });
const keyId = async (key: string) => (await s.api('GET', '/v1/me', undefined, { key })).body.key_id as string;

/** Every row of every table of the public schema, as JSON text (bytea as \x hex), by table (alias `dumped`: tables may have a column `t`). */
async function dumpDatabase(): Promise<Map<string, string[]>> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(
    db,
  );
  const out = new Map<string, string[]>();
  for (const t of tables.rows) {
    const rows = await sql<{
      j: string;
    }>`SELECT row_to_json(dumped.*)::text AS j FROM ${sql.table(t.table_name)} dumped`.execute(db);
    out.set(
      t.table_name,
      rows.rows.map((r) => r.j),
    );
  }
  return out;
}

/** Where each needle occurs in the dump, as plain text or as the hex of its UTF-8 bytes (inside a bytea). */
function findIn(dump: Map<string, string[]>, needles: string[]): string[] {
  const hits: string[] = [];
  for (const [table, rows] of dump) {
    for (const row of rows) {
      const lower = row.toLowerCase();
      for (const n of needles) {
        if (lower.includes(n.toLowerCase()) || lower.includes(Buffer.from(n, 'utf8').toString('hex')))
          hits.push(`${table}: ${n} in ${row.slice(0, 300)}`);
      }
    }
  }
  return hits;
}

describe('consent', () => {
  it('keeps the history, and the latest record across a merged group is in force', async () => {
    const pa = phone();
    const card = `MC-${rand(8)}`;
    const a = (await identify({ identifiers: [{ type: 'phone', value: pa }] })).customer_id;
    const b = (await identify({ identifiers: [{ type: 'member_card', value: card }], channel: 'pos' })).customer_id;
    expect(await isGranted(db, a, 'marketing_sms')).toBe(false); // nothing recorded: not granted

    const granted = await must(s, 'PUT', `/v1/customers/${a}/consents/marketing_sms`, {
      granted: true,
      channel: 'app',
      source: 'signup_form',
    });
    expect(granted).toMatchObject({
      customer_id: a,
      purpose: 'marketing_sms',
      granted: true,
      channel: 'app',
      source: 'signup_form',
      at: expect.any(String),
    });
    await must(s, 'PUT', `/v1/customers/${b}/consents/marketing_sms`, {
      granted: false,
      channel: 'pos',
      source: 'pos_prompt:v2',
    });
    expect(await isGranted(db, a, 'marketing_sms')).toBe(true);
    expect(await isGranted(db, b, 'marketing_sms')).toBe(false);
    expect(await isGranted(db, a, 'analytics')).toBe(false);

    const m = await identify({
      identifiers: [
        { type: 'phone', value: pa },
        { type: 'member_card', value: card },
      ],
    });
    expect(m.merged.map((x: { from: string }) => x.from)).toEqual([b]);
    // b's withdrawal is the later record: it wins for the person, asked through either id
    expect(await isGranted(db, a, 'marketing_sms')).toBe(false);
    expect(await isGranted(db, b, 'marketing_sms')).toBe(false);

    const c = await must(s, 'GET', `/v1/customers/${b}/consents`);
    expect(c.customer_id).toBe(a);
    expect(c.consents.map((x: { purpose: string }) => x.purpose).sort()).toEqual([
      'analytics',
      'marketing_email',
      'marketing_push',
      'marketing_sms',
      'marketing_wechat',
      'personalization',
    ]);
    expect(c.consents.find((x: { purpose: string }) => x.purpose === 'marketing_sms')).toEqual({
      purpose: 'marketing_sms',
      granted: false,
      at: expect.any(String),
      channel: 'pos',
      source: 'pos_prompt:v2',
    });
    expect(c.consents.find((x: { purpose: string }) => x.purpose === 'analytics')).toEqual({
      purpose: 'analytics',
      granted: false,
      at: null,
      channel: null,
      source: null,
    });
    expect(c.history.map((h: { customer_id: string; granted: boolean }) => [h.customer_id, h.granted])).toEqual([
      [b, false],
      [a, true],
    ]);

    const profile = await must(s, 'GET', `/v1/customers/${a}`);
    expect(profile.consents.find((x: { purpose: string }) => x.purpose === 'marketing_sms')).toMatchObject({
      granted: false,
      channel: 'pos',
      source: 'pos_prompt:v2',
    });

    await must(s, 'PUT', `/v1/customers/${a}/consents/marketing_sms`, {
      granted: true,
      channel: 'web',
      source: 'preference_centre',
    });
    expect(await isGranted(db, b, 'marketing_sms')).toBe(true);
    expect((await must(s, 'GET', `/v1/customers/${a}/consents`)).history).toHaveLength(3);

    // Records stay with the id they were given on, so an unmerge takes them along.
    await must(s, 'POST', `/v1/customers/${a}/unmerge`, { merge_id: m.merged[0].merge_id });
    expect(await isGranted(db, a, 'marketing_sms')).toBe(true);
    expect(await isGranted(db, b, 'marketing_sms')).toBe(false);
    expect((await must(s, 'GET', `/v1/customers/${b}/consents`)).history).toHaveLength(1);
    expect(await isGranted(db, 'cus_unknown', 'marketing_sms')).toBe(false);
  });

  it('validates purpose, channel and source, and binds integration keys to their channel', async () => {
    const a = (await identify({ identifiers: [{ type: 'phone', value: phone() }] })).customer_id;
    const bad = await s.api('PUT', `/v1/customers/${a}/consents/telemarketing`, {
      granted: true,
      channel: 'app',
      source: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toContain('purpose');
    expect(
      (await s.api('PUT', `/v1/customers/${a}/consents/analytics`, { granted: 'yes', channel: 'app', source: 'x' }))
        .status,
    ).toBe(400);
    expect(
      (await s.api('PUT', `/v1/customers/${a}/consents/analytics`, { granted: true, channel: 'fax', source: 'x' }))
        .status,
    ).toBe(400);
    expect(
      (
        await s.api('PUT', `/v1/customers/${a}/consents/analytics`, {
          granted: true,
          channel: 'app',
          source: 'me@example.com',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await s.api('PUT', '/v1/customers/cus_nobody/consents/analytics', {
          granted: true,
          channel: 'app',
          source: 'x',
        })
      ).status,
    ).toBe(404);
    const integration = await s.keyFor('integration', { channel: 'mini_program' });
    expect(
      (
        await s.api(
          'PUT',
          `/v1/customers/${a}/consents/analytics`,
          { granted: true, channel: 'app', source: 'sdk' },
          { key: integration },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await s.api(
          'PUT',
          `/v1/customers/${a}/consents/analytics`,
          { granted: true, channel: 'mini_program', source: 'sdk' },
          { key: integration },
        )
      ).status,
    ).toBe(200);
    expect(await isGranted(db, a, 'analytics')).toBe(true);
    const audit = await must(s, 'GET', `/v1/audit?action=customer.consent&subject=${a}`);
    expect(audit.items[0]).toMatchObject({
      actor_key: await keyId(integration),
      details: { purpose: 'analytics', granted: true, channel: 'mini_program' },
    });
  });
});

describe('reveal', () => {
  it('shows the full value to support with a reason, and audits who, when and why', async () => {
    const p = phone();
    const c = (
      await identify({
        identifiers: [
          { type: 'phone', value: p },
          { type: 'email', value: 'Reveal.Me@Example.com' },
        ],
      })
    ).customer_id;
    const support = await s.keyFor('support');
    const r = await s.api(
      'POST',
      `/v1/customers/${c}/reveal`,
      { type: 'phone', reason: 'customer called about a lost delivery' },
      { key: support, headers: { 'idempotency-key': 'reveal-1' } },
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      customer_id: c,
      type: 'phone',
      values: [{ value: `+86${p}`, masked: `${p.slice(0, 3)}****${p.slice(-4)}` }],
    });
    expect(r.headers.get('cache-control')).toBe('no-store');
    // the plaintext answer is not kept for idempotent replays
    const stored = await db.selectFrom('idempotency_keys').select('key').where('key', '=', 'reveal-1').execute();
    expect(stored).toEqual([]);

    const entries = await must(s, 'GET', `/v1/audit?action=customer.reveal&actor=${await keyId(support)}`);
    expect(entries.items).toHaveLength(1);
    expect(entries.items[0]).toMatchObject({
      actor_role: 'support',
      subject: c,
      reason: 'customer called about a lost delivery',
      details: { type: 'phone', count: 1 },
      at: expect.any(String),
    });
    expect(JSON.stringify(entries)).not.toContain(p);

    const email = await must(s, 'POST', `/v1/customers/${c}/reveal`, { type: 'email', reason: 'admin check' });
    expect(email.values.map((v: { value: string }) => v.value)).toEqual(['reveal.me@example.com']);
    expect(
      (await must(s, 'POST', `/v1/customers/${c}/reveal`, { type: 'pos_card', reason: 'admin check' })).values,
    ).toEqual([]);
  });

  it('requires a reason and a support or admin key', async () => {
    const c = (await identify({ identifiers: [{ type: 'phone', value: phone() }] })).customer_id;
    const support = await s.keyFor('support');
    for (const reason of ['abc', '   ab   ']) {
      const r = await s.api('POST', `/v1/customers/${c}/reveal`, { type: 'phone', reason }, { key: support });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe('reason');
    }
    expect((await s.api('POST', `/v1/customers/${c}/reveal`, { type: 'phone' }, { key: support })).status).toBe(400);
    for (const [role, extra] of [
      ['store_staff', { location_id: 'mid' }],
      ['marketer', {}],
      ['analyst', {}],
      ['integration', { channel: 'app' }],
    ] as const) {
      const key = await s.keyFor(role, extra);
      expect(
        (await s.api('POST', `/v1/customers/${c}/reveal`, { type: 'phone', reason: 'I would like to see it' }, { key }))
          .status,
      ).toBe(403);
    }
    expect(
      (
        await s.api(
          'POST',
          '/v1/customers/cus_nobody/reveal',
          { type: 'phone', reason: 'customer called' },
          { key: support },
        )
      ).status,
    ).toBe(404);
  });
});

describe('audit log', () => {
  it('records key creation and revocation and lists entries newest first, filtered and paged', async () => {
    const created = await must(s, 'POST', '/v1/api-keys', { name: 'till 7', role: 'store_staff', location_id: 'near' });
    await must(s, 'DELETE', `/v1/api-keys/${created.id}`);
    const all = await must(s, 'GET', `/v1/audit?subject=${created.id}`);
    expect(all.items.map((e: { action: string }) => e.action)).toEqual(['api_key.revoke', 'api_key.create']);
    expect(all.items[1]).toMatchObject({
      actor_role: 'admin',
      details: { role: 'store_staff', location_id: 'near', channel: null },
    });
    expect(JSON.stringify(all)).not.toContain(created.key);

    const byPrefix = await must(s, 'GET', '/v1/audit?action=api_key.&limit=200');
    expect(byPrefix.items.every((e: { action: string }) => e.action.startsWith('api_key.'))).toBe(true);
    const first = await must(s, 'GET', `/v1/audit?subject=${created.id}&limit=1`);
    expect(first.items.map((e: { action: string }) => e.action)).toEqual(['api_key.revoke']);
    const second = await must(s, 'GET', `/v1/audit?subject=${created.id}&limit=1&cursor=${first.next_cursor}`);
    expect(second.items.map((e: { action: string }) => e.action)).toEqual(['api_key.create']);
    expect(second.next_cursor).toBeNull();
    expect((await s.api('GET', '/v1/audit?cursor=bogus')).status).toBe(400);
    expect((await s.api('GET', `/v1/audit?cursor=${Buffer.from('["1 OR 1=1"]').toString('base64url')}`)).status).toBe(
      400,
    );
  });
});

describe('erasure', () => {
  it('removes the person from every table, keeps sales figures, and lets the phone start afresh', async () => {
    const p = phone();
    const email = `erase.me.${rand(6)}@example.org`;
    const name = '欧阳娜娜';
    const oldName = '欧阳小娜';
    const address = `上海市徐汇区秘密路${rand(3)}弄7号`;
    const card = `MC-${rand(8)}`;
    const device = `dev-${rand(10)}`;
    const anon = `anon-${rand(10)}`;

    await must(s, 'POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['*'],
      secret: 'a-webhook-secret-0123',
    });
    // b first (older name), then a: a is younger, so the merge keeps b as the survivor
    const b = (
      await identify({
        identifiers: [{ type: 'member_card', value: card }],
        traits: { name: oldName, birthday: '1990-04-01' },
        channel: 'pos',
      })
    ).customer_id;
    const pickup = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'member_card', value: card },
      lines: [{ sku: 'CHIPS', qty: 2 }],
      fulfillment: { type: 'pickup', location_id: 'near' },
    });
    await must(s, 'POST', `/v1/orders/${pickup.id}/cancel`, {});
    const a = (
      await identify({
        identifiers: [
          { type: 'phone', value: p },
          { type: 'email', value: email },
          { type: 'device_id', value: device },
        ],
        traits: { name, city: '上海' },
        anonymous_id: anon,
      })
    ).customer_id;
    const inStore = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: p },
      lines: [{ sku: 'MILK', qty: 3 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    expect(inStore.customer_id).toBe(a);
    const merged = await identify(
      {
        identifiers: [
          { type: 'phone', value: p },
          { type: 'member_card', value: card },
        ],
      },
      { 'idempotency-key': `merge-${rand(8)}` },
    );
    expect(merged.customer_id).toBe(b);
    await must(s, 'PUT', `/v1/customers/${a}/tags/vip`);
    await must(s, 'PUT', `/v1/customers/${a}/consents/marketing_sms`, {
      granted: true,
      channel: 'app',
      source: 'signup_form',
    });
    const delivered = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      customer: { id: a },
      lines: [
        { sku: 'MILK', qty: 1 },
        { sku: 'CHIPS', qty: 1 },
      ],
      fulfillment: { ...delivery('standard'), address },
    });
    await must(s, 'POST', `/v1/orders/${delivered.id}/pay`, { payment_ref: `pay-${rand(6)}` });
    for (const f of delivered.allocations)
      for (const type of ['out_for_delivery', 'delivered'])
        await must(s, 'POST', `/v1/fulfillments/${f.fulfillment_id}/events`, { type });
    expect((await must(s, 'GET', `/v1/orders/${delivered.id}`)).status).toBe('completed');
    // someone else's sale, which must not change either
    const other = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: phone() },
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    await must(s, 'GET', `/v1/customers/${a}`);
    await must(s, 'GET', `/v1/customers/lookup?type=phone&value=${p}`);
    await s.santong.ctx.dispatcher.runOnce(); // fan the events out to the webhook

    // Before: personal values exist only encrypted; the blind index is a keyed hash, not a plain one.
    const plainNeedles = [p, `+86${p}`, email, name, oldName, address, card, device];
    const before = await dumpDatabase();
    expect(findIn(before, plainNeedles)).toEqual([]);
    const hashes = await db
      .selectFrom('customer_identifiers')
      .select(['type', 'value_hash'])
      .where('customer_id', 'in', [a, b])
      .execute();
    expect(hashes.map((h) => h.type).sort()).toEqual(['anonymous_id', 'device_id', 'email', 'member_card', 'phone']);
    const phoneHash = hashes.find((h) => h.type === 'phone')!.value_hash;
    expect(findIn(before, [phoneHash])).not.toEqual([]);
    const unkeyed = ['sha256', 'sha1', 'md5'].flatMap((alg) =>
      [`+86${p}`, p, `phone:+86${p}`].flatMap((v) =>
        ['hex', 'base64', 'base64url'].map((enc) =>
          crypto
            .createHash(alg)
            .update(v)
            .digest(enc as crypto.BinaryToTextEncoding),
        ),
      ),
    );
    expect(unkeyed).not.toContain(phoneHash);
    expect(findIn(before, unkeyed)).toEqual([]);

    // Personal data where it should not be, but may be: free text and event properties.
    const noted = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { id: a },
      note: `请交给 ${name}`,
      lines: [{ sku: 'CHIPS', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    await must(
      s,
      'POST',
      `/v1/orders/${noted.id}/returns`,
      { location_id: 'mid', reason: `${name} changed her mind`, lines: [{ sku: 'CHIPS', qty: 1 }] },
      [201],
    );
    await db
      .insertInto('customer_events')
      .values([
        {
          event_id: `ev-${rand(8)}`,
          type: 'product_viewed',
          occurred_at: new Date(),
          channel: 'app',
          customer_id: a,
          anonymous_id: anon,
          location_id: null,
          properties: JSON.stringify({
            sku: 'MILK',
            phone: `+86${p}`,
            contact: { email, Name: name },
            comment: `for ${oldName}`,
          }),
        },
        {
          event_id: `ev-${rand(8)}`,
          type: 'store_visit',
          occurred_at: new Date(),
          channel: 'pos',
          customer_id: b,
          anonymous_id: null,
          location_id: 'mid',
          properties: JSON.stringify({ location_id: 'mid', lat: 31.2, lng: 121.4 }),
        },
      ])
      .execute();
    const support = await s.keyFor('support');
    await must(s, 'POST', `/v1/customers/${a}/reveal`, { type: 'phone', reason: `客户${name}来电核实手机号` });
    expect(
      (
        await s.api(
          'POST',
          `/v1/customers/${a}/reveal`,
          { type: 'email', reason: `客户${name}来电核实邮箱` },
          { key: support },
        )
      ).status,
    ).toBe(200);
    await s.santong.ctx.dispatcher.runOnce();

    const dashBefore = await must(s, 'GET', '/v1/analytics/dashboard');
    expect(dashBefore.today.totals.orders).toBeGreaterThanOrEqual(4);

    const r = await s.api('DELETE', `/v1/customers/${a}`);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ erasure_id: expect.stringMatching(/^era_/), status: 'completed' });

    // The API no longer knows the person, by any id or identifier.
    for (const id of [a, b]) {
      expect((await s.api('GET', `/v1/customers/${id}`)).status).toBe(404);
      expect((await s.api('GET', `/v1/customers/${id}/consents`)).status).toBe(404);
      expect(
        (await s.api('POST', `/v1/customers/${id}/reveal`, { type: 'phone', reason: 'after erasure' })).status,
      ).toBe(404);
      expect((await s.api('DELETE', `/v1/customers/${id}`)).status).toBe(404);
    }
    expect((await s.api('GET', `/v1/customers/lookup?type=phone&value=${p}`)).status).toBe(404);
    expect((await s.api('GET', `/v1/customers/lookup?type=member_card&value=${card}`)).status).toBe(404);
    expect((await must(s, 'GET', `/v1/customers?q=${p}`)).items).toEqual([]);

    // Sales figures are exactly what they were (buyers counted too).
    expect(await must(s, 'GET', '/v1/analytics/dashboard')).toEqual(dashBefore);

    // Nothing personal is left anywhere: values, their hex, their blind-index hashes.
    const after = await dumpDatabase();
    expect(findIn(after, [...plainNeedles, anon, ...hashes.map((h) => h.value_hash)])).toEqual([]);
    // The bare ids survive only in the tombstones and in the customer.erased event for subscribers.
    const idHits = findIn(after, [a, b]);
    expect(
      idHits.filter((h) => !h.startsWith('customers:') && !(h.startsWith('outbox:') && h.includes('customer.erased'))),
    ).toEqual([]);

    const tomb = await db.selectFrom('customers').selectAll().where('id', 'in', [a, b]).execute();
    for (const t of tomb)
      expect(t).toMatchObject({ data_key: null, pii: null, traits: {}, trait_seen: {}, erased_at: expect.any(Date) });
    for (const t of ['customer_identifiers', 'customer_tags', 'customer_consents'] as const) {
      expect(await db.selectFrom(t).select('customer_id').where('customer_id', 'in', [a, b]).execute()).toEqual([]);
    }

    // Orders are anonymous sales: one stand-in per customer (a's, b's), the address and its key gone.
    const orders = await db
      .selectFrom('orders')
      .select([
        'id',
        'customer_id',
        'address_enc',
        'address_key',
        'delivery_lat',
        'note',
        'routing',
        'total',
        'payment_ref',
      ])
      .where('id', 'in', [inStore.id, delivered.id, pickup.id, noted.id, other.id])
      .execute();
    const byId = new Map(orders.map((o) => [o.id, o]));
    const standInA = byId.get(inStore.id)!.customer_id!;
    const standIn = byId.get(pickup.id)!.customer_id!;
    expect(standInA).toMatch(/^erased_/);
    expect(standIn).toMatch(/^erased_/);
    expect(standIn).not.toBe(standInA);
    expect(byId.get(delivered.id)!.customer_id).toBe(standIn);
    expect(byId.get(noted.id)!.customer_id).toBe(standIn);
    expect(byId.get(other.id)!.customer_id).toMatch(/^cus_/);
    expect(byId.get(delivered.id)).toMatchObject({
      address_enc: null,
      address_key: null,
      delivery_lat: null,
      routing: null,
      total: String(delivered.totals.total),
      payment_ref: expect.stringMatching(/^pay-/),
    });
    expect(byId.get(noted.id)!.note).toBeNull();
    const api = await must(s, 'GET', `/v1/orders/${delivered.id}`);
    expect(api.customer_id).toBe(standIn);

    // Events stay for behaviour analytics, without the person.
    const events = await db
      .selectFrom('customer_events')
      .select(['customer_id', 'anonymous_id', 'properties'])
      .where('customer_id', 'like', 'erased_%')
      .execute();
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) expect(e.anonymous_id).toBeNull();
    expect(events.map((e) => e.properties)).toEqual(
      expect.arrayContaining([{ sku: 'MILK', contact: {}, comment: 'for [erased]' }, { location_id: 'mid' }]),
    );

    // The audit trail is kept, under a keyed hash of the id; the plain id still finds it.
    const trail = await must(s, 'GET', `/v1/audit?subject=${b}&limit=200`);
    const actions = trail.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'customer.erase',
        'customer.reveal',
        'customer.view',
        'customer.lookup',
        'customer.consent',
        'customer.merge',
      ]),
    );
    for (const e of trail.items) expect(e.subject).toMatch(/^erased:/);
    const erase = trail.items.find((e: { action: string }) => e.action === 'customer.erase');
    expect(erase.details).toMatchObject({ erasure_id: r.body.erasure_id, customers: 2, orders: 4 });
    expect(trail.items.find((e: { action: string }) => e.action === 'customer.reveal').reason).toContain('[erased]');
    const erasedEvent = await db.selectFrom('outbox').select('payload').where('type', '=', 'customer.erased').execute();
    expect(erasedEvent.map((e) => e.payload)).toContainEqual({
      erasure_id: r.body.erasure_id,
      customer_ids: [a, b].sort(),
    });

    // The same phone is a new person now.
    const again = await identify({ identifiers: [{ type: 'phone', value: p }] });
    expect(again.created).toBe(true);
    expect([a, b]).not.toContain(again.customer_id);
    expect((await must(s, 'GET', `/v1/customers/${again.customer_id}`)).stats.orders).toBe(0);
  });

  it('waits for orders in progress, and is for admins only', async () => {
    const p = phone();
    const c = (await identify({ identifiers: [{ type: 'phone', value: p }] })).customer_id;
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      customer: { id: c },
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: delivery('standard'),
    });
    const refused = await s.api('DELETE', `/v1/customers/${c}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'open_orders', orders: [o.id] });
    expect((await s.api('GET', `/v1/customers/${c}`)).status).toBe(200);
    const support = await s.keyFor('support');
    expect((await s.api('DELETE', `/v1/customers/${c}`, undefined, { key: support })).status).toBe(403);
    await must(s, 'POST', `/v1/orders/${o.id}/cancel`, {});
    const r = await s.api('DELETE', `/v1/customers/${c}`, undefined, { headers: { 'idempotency-key': `erase-${c}` } });
    expect(r.status).toBe(202);
    const replay = await s.api('DELETE', `/v1/customers/${c}`, undefined, {
      headers: { 'idempotency-key': `erase-${c}` },
    });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(r.body);
    expect(await isGranted(db, c, 'marketing_sms')).toBe(false);
  });
});

describe('erasure under concurrency', () => {
  it('leaves no identifier, consent or key on an erased customer when identify and consent race it', async () => {
    for (let round = 0; round < 3; round++) {
      const p = phone();
      const c = (await identify({ identifiers: [{ type: 'phone', value: p }] })).customer_id;
      const results = await Promise.all([
        s.api('DELETE', `/v1/customers/${c}`),
        ...Array.from({ length: 4 }, (_, i) =>
          s.api('POST', '/v1/identify', {
            channel: 'app',
            identifiers: [
              { type: 'phone', value: p },
              { type: 'email', value: `race${i}.${p}@example.com` },
            ],
          }),
        ),
        s.api('PUT', `/v1/customers/${c}/consents/analytics`, { granted: true, channel: 'app', source: 'race' }),
      ]);
      expect(results[0].status).toBe(202);
      for (const r of results.slice(1, 5)) expect(r.status).toBe(200);
      expect([200, 404]).toContain(results[5].status);
      const leftovers = await sql<{ n: string }>`
        SELECT (SELECT count(*) FROM customer_identifiers ci JOIN customers x ON x.id = ci.customer_id WHERE x.erased_at IS NOT NULL)
             + (SELECT count(*) FROM customer_consents cc JOIN customers x ON x.id = cc.customer_id WHERE x.erased_at IS NOT NULL)
             + (SELECT count(*) FROM customers WHERE erased_at IS NOT NULL AND (data_key IS NOT NULL OR pii IS NOT NULL)) AS n`.execute(
        db,
      );
      expect(Number(leftovers.rows[0].n)).toBe(0);
      // whoever holds the phone now is live, and one person
      const holder = await must(s, 'GET', `/v1/customers/lookup?type=phone&value=${p}`, undefined, [200, 404]);
      if (holder.id) expect(holder.id).not.toBe(c);
    }
  });
});

describe('bulk access alert', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ startDispatcher: false, env: { SANTONG_BULK_ACCESS_LIMIT: '5' } });
    // alert-only mode: the key keeps reading (block mode, the default, is tested in platform/audit/bulk.test.ts)
    expect((await t.api('PUT', '/v1/security/settings', { bulk_access_mode: 'alert' })).status).toBe(200);
  });
  afterAll(async () => t?.close());

  const alerts = async (keyId: string) =>
    (
      await t.santong.ctx.database.db
        .selectFrom('outbox')
        .select(['aggregate_id', 'payload'])
        .where('type', '=', 'security.bulk_access')
        .execute()
    ).filter((r) => r.aggregate_id === keyId);

  it('raises security.bulk_access once per window when a key reads more personal data than allowed', async () => {
    const p = phone();
    const c = (await t.api('POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: p }] })).body
      .customer_id;
    const support = await t.keyFor('support');
    const supportId = (await t.api('GET', '/v1/me', undefined, { key: support })).body.key_id;
    const read = [
      () => t.api('GET', `/v1/customers/lookup?type=phone&value=${p}`, undefined, { key: support }),
      () => t.api('GET', `/v1/customers?q=${p}`, undefined, { key: support }),
      () =>
        t.api('POST', `/v1/customers/${c}/reveal`, { type: 'phone', reason: 'customer on the line' }, { key: support }),
    ];
    for (let i = 0; i < 5; i++) expect((await read[i % 3]()).status).toBe(200);
    expect(await alerts(supportId)).toEqual([]);
    // masked profile reads by support are not personal-data reads of this kind
    expect((await t.api('GET', `/v1/customers/${c}`, undefined, { key: support })).status).toBe(200);
    expect(await alerts(supportId)).toEqual([]);
    expect((await read[0]()).status).toBe(200);
    const raised = await alerts(supportId);
    expect(raised).toHaveLength(1);
    expect(raised[0].payload).toMatchObject({
      key_id: supportId,
      role: 'support',
      reads: 6,
      limit: 5,
      window_seconds: 600,
    });
    await Promise.all(Array.from({ length: 8 }, (_, i) => read[i % 3]()));
    expect(await alerts(supportId)).toHaveLength(1);
    const entries = (await t.api('GET', `/v1/audit?action=security.bulk_access&actor=${supportId}`)).body.items;
    expect(entries).toHaveLength(1);

    // Admin profile views count, per key.
    const adminId = (await t.api('GET', '/v1/me')).body.key_id;
    for (let i = 0; i < 5; i++) await t.api('GET', `/v1/customers/${c}`);
    expect(await alerts(adminId)).toEqual([]);
    await t.api('GET', `/v1/customers/${c}`);
    expect(await alerts(adminId)).toHaveLength(1);
  });
});
