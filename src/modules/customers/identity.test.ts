import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { mid: { MILK: 100 } });
});
afterAll(async () => s?.close());

const identify = (body: Record<string, unknown>) => must(s, 'POST', '/v1/identify', { channel: 'app', ...body });
let n = 0;
const phone = () => `1390000${String(++n).padStart(4, '0')}`;

describe('One ID rules', () => {
  it('normalises identifiers and finds the same person again', async () => {
    const p = phone();
    const a = await identify({ identifiers: [{ type: 'phone', value: p }] });
    expect(a.created).toBe(true);
    const b = await identify({
      identifiers: [{ type: 'phone', value: `+86 ${p.slice(0, 3)}-${p.slice(3)}` }],
      channel: 'pos',
    });
    expect(b).toEqual({ customer_id: a.customer_id, created: false, merged: [] });
    const e1 = await identify({ identifiers: [{ type: 'email', value: '  Mei.Li@Example.COM ' }] });
    const e2 = await identify({ identifiers: [{ type: 'email', value: 'mei.li@example.com' }] });
    expect(e2.customer_id).toBe(e1.customer_id);
  });

  it('rejects invalid values naming the identifier', async () => {
    const r = await s.api('POST', '/v1/identify', {
      channel: 'app',
      identifiers: [
        { type: 'email', value: 'a@b.co' },
        { type: 'phone', value: '12345' },
      ],
    });
    expect(r.status).toBe(422);
    expect(r.body.error.field).toBe('identifiers[1].value');
  });

  it('merges customers linked by one request into the oldest, and chains (A-B, then B-C)', async () => {
    const [pa, pb] = [phone(), phone()];
    const a = await identify({ identifiers: [{ type: 'phone', value: pa }], traits: { city: '上海', name: '王芳' } });
    const b = await identify({
      identifiers: [{ type: 'member_card', value: 'MC-1' }],
      traits: { city: '杭州' },
      channel: 'pos',
    });
    const c = await identify({ identifiers: [{ type: 'email', value: 'c@example.com' }] });
    const ab = await identify({
      identifiers: [
        { type: 'phone', value: pa },
        { type: 'member_card', value: 'MC-1' },
      ],
    });
    expect(ab.customer_id).toBe(a.customer_id);
    expect(ab.merged).toEqual([{ from: b.customer_id, into: a.customer_id, merge_id: expect.any(String) }]);
    const bc = await identify({
      identifiers: [
        { type: 'member_card', value: 'MC-1' },
        { type: 'email', value: 'c@example.com' },
        { type: 'phone', value: pb },
      ],
    });
    expect(bc.customer_id).toBe(a.customer_id);
    expect(bc.merged.map((m: { from: string }) => m.from)).toEqual([c.customer_id]);
    const viaC = await must(s, 'GET', `/v1/customers/${c.customer_id}`);
    expect(viaC.id).toBe(a.customer_id);
    expect(viaC.merged_into).toBe(a.customer_id);
    expect(viaC.members.sort()).toEqual([a.customer_id, b.customer_id, c.customer_id].sort());
    expect(viaC.traits.city).toBe('杭州'); // the most recently observed value wins
    expect(viaC.identifiers.map((i: { type: string }) => i.type).sort()).toEqual([
      'email',
      'member_card',
      'phone',
      'phone',
    ]);
  });

  it('never fuses a family through a shared tablet', async () => {
    const [mum, dad] = [phone(), phone()];
    const m = await identify({
      identifiers: [
        { type: 'phone', value: mum },
        { type: 'device_id', value: 'family-ipad' },
      ],
    });
    const d = await identify({
      identifiers: [
        { type: 'phone', value: dad },
        { type: 'device_id', value: 'family-ipad' },
      ],
    });
    expect(d.customer_id).not.toBe(m.customer_id);
    expect(d.merged).toEqual([]);
    const again = await identify({
      identifiers: [
        { type: 'phone', value: mum },
        { type: 'device_id', value: 'family-ipad' },
      ],
    });
    expect(again.customer_id).toBe(m.customer_id);
    const dadProfile = await must(s, 'GET', `/v1/customers/${d.customer_id}`);
    expect(dadProfile.identifiers.map((i: { type: string }) => i.type)).toContain('device_id');
  });

  it('merges a guest (device only) into the member who logs in on it', async () => {
    const guest = await identify({ identifiers: [{ type: 'device_id', value: 'guest-phone-1' }] });
    const member = await identify({ identifiers: [{ type: 'member_card', value: 'MC-G1' }], channel: 'pos' });
    const login = await identify({
      identifiers: [
        { type: 'member_card', value: 'MC-G1' },
        { type: 'device_id', value: 'guest-phone-1' },
      ],
    });
    expect([guest.customer_id, member.customer_id]).toContain(login.customer_id);
    expect(login.merged).toHaveLength(1);
  });

  it('merges an anonymous profile on identify', async () => {
    const anon = await identify({ identifiers: [], anonymous_id: 'anon-xyz' });
    const known = await identify({ identifiers: [{ type: 'phone', value: phone() }], anonymous_id: 'anon-xyz' });
    expect(known.customer_id).toBe(anon.customer_id); // the anonymous profile is older: it survives, now known
    const p = await must(s, 'GET', `/v1/customers/${known.customer_id}`);
    expect(p.kind).toBe('known');
  });

  it('produces one customer when racing requests link the same new identifiers', async () => {
    const p = phone();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        identify({
          identifiers: [
            { type: 'phone', value: p },
            { type: 'member_card', value: `RACE-${p}` },
          ],
          traits: { n: i },
        }),
      ),
    );
    expect(new Set(results.map((r) => r.customer_id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('merges three customers linked by one request into the oldest, with one record each, and unmerges each', async () => {
    const [pa, pb] = [phone(), phone()];
    const a = await identify({ identifiers: [{ type: 'phone', value: pa }], traits: { city: '北京' } });
    const b = await identify({
      identifiers: [{ type: 'member_card', value: `MC3-${pb}` }],
      traits: { city: '广州', name: '陈静' },
      channel: 'pos',
    });
    const guest = await identify({
      identifiers: [{ type: 'device_id', value: `dev3-${pb}` }],
      anonymous_id: `anon3-${pb}`,
    });
    const all = await identify({
      identifiers: [
        { type: 'phone', value: pa },
        { type: 'member_card', value: `MC3-${pb}` },
        { type: 'device_id', value: `dev3-${pb}` },
        { type: 'phone', value: pb },
      ],
      traits: { tier: 'gold' },
    });
    expect(all.customer_id).toBe(a.customer_id);
    expect(all.created).toBe(false);
    expect(all.merged.map((m: { from: string }) => m.from)).toEqual([b.customer_id, guest.customer_id]);
    const p = await must(s, 'GET', `/v1/customers/${a.customer_id}`);
    expect(p.members.sort()).toEqual([a.customer_id, b.customer_id, guest.customer_id].sort());
    expect(p.traits).toMatchObject({ city: '广州', name: '陈静', tier: 'gold' });
    expect(p.identifiers.map((i: { type: string }) => i.type).sort()).toEqual([
      'device_id',
      'member_card',
      'phone',
      'phone',
    ]);
    const db = s.santong.ctx.database.db;
    const merges = await db
      .selectFrom('customer_merges')
      .select(['id', 'from_id', 'into_id', 'linked_by'])
      .where('into_id', '=', a.customer_id)
      .orderBy('id')
      .execute();
    expect(merges.map((m) => m.from_id).sort()).toEqual([b.customer_id, guest.customer_id].sort());
    expect(merges[0].linked_by).toEqual(['device_id', 'member_card', 'phone']);
    const outbox = await db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_id', '=', a.customer_id)
      .where('type', '=', 'customer.merged')
      .execute();
    expect(outbox).toHaveLength(2);
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('subject', '=', a.customer_id)
      .where('action', '=', 'customer.merge')
      .execute();
    expect(audit).toHaveLength(2);
    // Undo the card's merge: its traits go back, the guest stays merged.
    await must(s, 'POST', `/v1/customers/${a.customer_id}/unmerge`, { merge_id: all.merged[0].merge_id });
    const after = await must(s, 'GET', `/v1/customers/${a.customer_id}`);
    expect(after.members.sort()).toEqual([a.customer_id, guest.customer_id].sort());
    expect(after.traits.city).toBe('北京');
    expect(after.traits.name).toBeUndefined();
    expect(after.traits.tier).toBe('gold');
    const bAfter = await must(s, 'GET', `/v1/customers/${b.customer_id}`);
    expect(bAfter.id).toBe(b.customer_id);
    await must(s, 'POST', `/v1/customers/${a.customer_id}/unmerge`, { merge_id: all.merged[1].merge_id });
    expect((await must(s, 'GET', `/v1/customers/${guest.customer_id}`)).id).toBe(guest.customer_id);
  });

  it('gives one customer per person when calls race on a shared new device and on a guest being merged', async () => {
    for (let round = 0; round < 3; round++) {
      const p = phone();
      const device = `race-dev-${p}`;
      const calls = [
        { identifiers: [{ type: 'device_id', value: device }] },
        {
          identifiers: [
            { type: 'phone', value: p },
            { type: 'device_id', value: device },
          ],
        },
        { identifiers: [{ type: 'device_id', value: device }] },
        { identifiers: [{ type: 'phone', value: p }] },
        {
          identifiers: [
            { type: 'phone', value: p },
            { type: 'device_id', value: device },
          ],
        },
      ];
      const results = await Promise.all(calls.map((c) => identify(c)));
      const final = await identify({
        identifiers: [
          { type: 'phone', value: p },
          { type: 'device_id', value: device },
        ],
      });
      for (const r of results)
        expect((await must(s, 'GET', `/v1/customers/${r.customer_id}`)).id).toBe(final.customer_id);
      expect(final.merged).toEqual([]);
    }
  });

  it('moves orders with the merge and back with the unmerge', async () => {
    const [pa, pb] = [phone(), phone()];
    const a = await identify({ identifiers: [{ type: 'phone', value: pa }], traits: { name: '李雷' } });
    const orderB = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: pb },
      lines: [{ sku: 'MILK', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    const b = orderB.customer_id;
    const m = await identify({
      identifiers: [
        { type: 'phone', value: pa },
        { type: 'phone', value: pb },
      ],
      traits: { name: '韩梅梅' },
    });
    expect(m.merged[0].from).toBe(b);
    const merged = await must(s, 'GET', `/v1/customers/${a.customer_id}`);
    expect(merged.stats.orders).toBe(1);
    expect(merged.traits.name).toBe('韩梅梅');
    const orders = await must(s, 'GET', `/v1/orders?customer_id=${a.customer_id}`);
    expect(orders.items.map((o: { id: string }) => o.id)).toEqual([orderB.id]);
    const undo = await must(s, 'POST', `/v1/customers/${a.customer_id}/unmerge`, { merge_id: m.merged[0].merge_id });
    expect(undo).toMatchObject({ restored: b, survivor: a.customer_id });
    const after = await must(s, 'GET', `/v1/customers/${a.customer_id}`);
    expect(after.stats.orders).toBe(0);
    expect(after.members).toEqual([a.customer_id]);
    expect(after.merges[0].undone_at).not.toBeNull();
    const bAfter = await must(s, 'GET', `/v1/customers/${b}`);
    expect(bAfter.id).toBe(b);
    expect(bAfter.stats.orders).toBe(1);
    expect(
      (await s.api('POST', `/v1/customers/${a.customer_id}/unmerge`, { merge_id: m.merged[0].merge_id })).status,
    ).toBe(409);
    const audit = await s.santong.ctx.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject', '=', a.customer_id)
      .execute();
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['customer.merge', 'customer.unmerge']));
  });
});

describe('what each role sees', () => {
  it('admin sees values, support and store staff masked values, marketers and analysts none', async () => {
    const p = '13812345678';
    const c = await identify({ identifiers: [{ type: 'phone', value: p }], traits: { name: '张伟', city: '上海' } });
    const admin = await must(s, 'GET', `/v1/customers/${c.customer_id}`);
    expect(admin.identifiers[0]).toMatchObject({ type: 'phone', value: '+8613812345678', masked: '138****5678' });
    expect(admin.traits.name).toBe('张伟');
    for (const role of ['support', 'marketer', 'analyst']) {
      const key = await s.keyFor(role);
      const r = await s.api('GET', `/v1/customers/${c.customer_id}`, undefined, { key });
      expect(r.status).toBe(200);
      expect(r.body.identifiers[0].value).toBeUndefined();
      expect(JSON.stringify(r.body)).not.toContain('13812345678');
      expect(JSON.stringify(r.body)).not.toContain('张伟');
      if (role === 'support') expect(r.body.identifiers[0].masked).toBe('138****5678');
      else expect(r.body.identifiers[0].masked).toBeUndefined();
      expect(r.body.traits.city).toBe('上海');
    }
    const staff = await s.keyFor('store_staff', { location_id: 'mid' });
    const till = await s.api('GET', `/v1/customers/lookup?type=phone&value=${p}`, undefined, { key: staff });
    expect(till.status).toBe(200);
    expect(till.body.id).toBe(c.customer_id);
    expect(till.body.identifiers[0].masked).toBe('138****5678');
    expect(till.body.identifiers[0].value).toBeUndefined();
    const marketer = await s.keyFor('marketer');
    expect(
      (await s.api('GET', `/v1/customers/lookup?type=phone&value=${p}`, undefined, { key: marketer })).status,
    ).toBe(403);
    expect((await s.api('GET', `/v1/customers?q=${p}`, undefined, { key: marketer })).status).toBe(403);
    const found = await must(s, 'GET', `/v1/customers?q=${p}`);
    expect(found.items.map((i: { id: string }) => i.id)).toEqual([c.customer_id]);
  });

  it('stores no plaintext phone or email in the database', async () => {
    await identify({
      identifiers: [
        { type: 'phone', value: '13987654321' },
        { type: 'email', value: 'secret.person@example.org' },
      ],
      traits: { name: '赵敏' },
    });
    const db = s.santong.ctx.database.db;
    const rows = await db.selectFrom('customer_identifiers').selectAll().execute();
    const customers = await db.selectFrom('customers').selectAll().execute();
    const dump = JSON.stringify([rows, customers], (_k, v) =>
      v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v,
    );
    expect(dump).not.toContain('13987654321');
    expect(dump).not.toContain('secret.person');
    expect(dump).not.toContain('赵敏');
  });
});
