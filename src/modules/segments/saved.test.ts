import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { createLogger } from '../../platform/logging';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { claimDue, refreshSegment, segmentUpkeepTask } from './membership';
import { parseRule } from './rule';

// Saved segments and computed tags (issue 13): CRUD, membership kept by diff with one outbox event
// per change, members pages and CSV export, the tag leaf over computed tags, presets, erasure.
//
// Fixture (hand-counted):
// A: phone, 上海, manual tag vip, two MILK orders (2 × 1290), no coupon.
// B: a merged pair (the older phone half is the root); the member-card half is tagged vip and
//    bought CHIPS 3 × 999 = 2997 before the merge.
// C: 北京, no orders.
// D: 杭州, three CHIPS orders, two of them with a coupon (share 2/3).
// E: 上海, erased before anything was saved.

let s: TestServer;
let db: Kysely<DB>;
let n = 0;
const phone = () => `1370000${String(++n).padStart(4, '0')}`;
const identify = (body: Record<string, unknown>) => must(s, 'POST', '/v1/identify', { channel: 'app', ...body });
async function paidOrder(customerId: string, sku: string, qty: number, coupon?: string) {
  const o = await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    customer: { id: customerId },
    lines: [{ sku, qty }],
    fulfillment: { type: 'pickup', location_id: 'mid' },
    ...(coupon ? { coupon_codes: [coupon] } : {}),
  });
  await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
}
const sorted = (...ids: string[]) => [...ids].sort();
/** A profile read with a marketer's key (an admin's reads count towards the bulk-access limit set low here). */
async function profile(id: string) {
  const r = await s.api('GET', `/v1/customers/${id}`, undefined, { key: await s.keyFor('marketer') });
  expect(r.status).toBe(200);
  return r.body;
}

let a: string, b: string, c: string, d: string, aPhone: string, cPhone: string;
beforeAll(async () => {
  s = await startTestServer({
    startDispatcher: false,
    env: { SANTONG_BULK_ACCESS_LIMIT: '4', SANTONG_BULK_ACCESS_WINDOW_SECONDS: '600' },
  });
  db = s.santong.ctx.database.db;
  await setupGoods(s, { mid: { MILK: 100, CHIPS: 100 } });
  aPhone = phone();
  a = (await identify({ identifiers: [{ type: 'phone', value: aPhone }], traits: { city: '上海' } })).customer_id;
  const [bPhone, bCardNo] = [phone(), `MC-S-${process.pid}-${n}`];
  b = (await identify({ identifiers: [{ type: 'phone', value: bPhone }] })).customer_id;
  const bCard = (await identify({ identifiers: [{ type: 'member_card', value: bCardNo }] })).customer_id;
  cPhone = phone();
  c = (await identify({ identifiers: [{ type: 'phone', value: cPhone }], traits: { city: '北京' } })).customer_id;
  d = (await identify({ identifiers: [{ type: 'phone', value: phone() }], traits: { city: '杭州' } })).customer_id;
  const e = (await identify({ identifiers: [{ type: 'phone', value: phone() }], traits: { city: '上海' } }))
    .customer_id;
  await must(s, 'DELETE', `/v1/customers/${e}`, undefined, [202]);
  await must(s, 'PUT', `/v1/customers/${a}/tags/vip`);
  await must(s, 'PUT', `/v1/customers/${bCard}/tags/vip`);
  await paidOrder(a, 'MILK', 1);
  await paidOrder(a, 'MILK', 1);
  await paidOrder(bCard, 'CHIPS', 3);
  const t = await must(s, 'POST', '/v1/coupon-templates', {
    name: '1元',
    kind: 'amount_off',
    value: 100,
    channels: ['online', 'store'],
    valid_from: '2026-01-01T00:00:00Z',
    valid_to: '2099-01-01T00:00:00Z',
    per_customer_limit: 10,
  });
  const coupon = async () =>
    (await must(s, 'POST', '/v1/coupons/issue', { template_id: t.id, customer: { id: d } })).code as string;
  await paidOrder(d, 'CHIPS', 1, await coupon());
  await paidOrder(d, 'CHIPS', 1);
  await paidOrder(d, 'CHIPS', 1, await coupon());
  const merged = await identify({
    identifiers: [
      { type: 'phone', value: bPhone },
      { type: 'member_card', value: bCardNo },
    ],
  });
  expect(merged.customer_id).toBe(b);
});
afterAll(async () => s?.close());

/** The segment's members as stored, every page of limit 1 followed. */
async function allMembers(id: string, key?: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const q: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1';
    const r = await s.api('GET', `/v1/segments/${id}/members${q}`, undefined, key ? { key } : {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    for (const m of r.body.items) {
      expect(Date.parse(m.entered_at)).not.toBeNaN();
      out.push(m.customer_id);
    }
    cursor = r.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('too many pages');
}

/** The segment events published about a segment (or tag), as "type customer" lines in outbox order. */
async function eventsOf(id: string): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['type', 'aggregate_id', 'payload'])
    .where('type', 'in', ['segment.entered', 'segment.exited', 'tag.entered', 'tag.exited'])
    .orderBy('id')
    .execute();
  return rows
    .filter((r) => {
      const p = r.payload as Record<string, unknown>;
      return p.segment_id === id || p.tag_id === id;
    })
    .map((r) => {
      expect((r.payload as { customer_id: string }).customer_id).toBe(r.aggregate_id);
      return `${r.type} ${r.aggregate_id}`;
    });
}

describe('saved segments', () => {
  it('are created, listed, read, replaced and deleted, with their sizes', async () => {
    const created = await s.api('POST', '/v1/segments', {
      name: 'VIP 会员',
      description: 'manual vip tag',
      rule: { tag: 'vip' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'VIP 会员',
      description: 'manual vip tag',
      rule: { tag: 'vip' },
      size: 2,
    });
    expect(Date.parse(created.body.evaluated_at)).not.toBeNaN();
    const id = created.body.id as string;
    expect(sorted(...(await allMembers(id)))).toEqual(sorted(a, b)); // B once, as its root
    const list = await must(s, 'GET', '/v1/segments');
    expect(list.items.find((x: { id: string }) => x.id === id)).toMatchObject({ size: 2 });
    expect(await must(s, 'GET', `/v1/segments/${id}`)).toMatchObject({ id, size: 2 });

    const replaced = await must(s, 'PUT', `/v1/segments/${id}`, {
      name: 'VIP 上海',
      rule: { all: [{ tag: 'vip' }, { trait: { name: 'city', eq: '上海' } }] },
    });
    expect(replaced).toMatchObject({ id, name: 'VIP 上海', description: null, size: 1 });
    expect(await allMembers(id)).toEqual([a]);

    expect((await s.api('DELETE', `/v1/segments/${id}`)).status).toBe(200);
    expect((await s.api('GET', `/v1/segments/${id}`)).status).toBe(404);
    expect((await s.api('GET', `/v1/segments/${id}/members`)).status).toBe(404);
    expect(await db.selectFrom('segment_members').select('customer_id').where('segment_id', '=', id).execute()).toEqual(
      [],
    );
  });

  it('refuse a taken name (409), a bad rule (422 naming rule.…) and a bad body (400 naming the field)', async () => {
    const first = await must(s, 'POST', '/v1/segments', {
      name: '北京',
      rule: { trait: { name: 'city', eq: '北京' } },
    });
    expect(first.size).toBe(1);
    const other = await must(s, 'POST', '/v1/segments', {
      name: '杭州',
      rule: { trait: { name: 'city', eq: '杭州' } },
    });
    const dup = await s.api('POST', '/v1/segments', { name: '北京', rule: { tag: 'x' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'name_taken', field: 'name' });
    expect((await s.api('PUT', `/v1/segments/${other.id}`, { name: '北京', rule: { tag: 'x' } })).status).toBe(409);
    const bad = await s.api('POST', '/v1/segments', {
      name: 'bad',
      rule: { all: [{ tag: 'vip' }, { event: { type: 'x', within_days: 0 } }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'invalid_rule', field: 'rule.all[1].event.within_days' });
    const badPut = await s.api('PUT', `/v1/segments/${other.id}`, { name: '杭州', rule: { ordered: { colour: 1 } } });
    expect(badPut.body.error).toMatchObject({ code: 'invalid_rule', field: 'rule.ordered.colour' });
    const noName = await s.api('POST', '/v1/segments', { rule: { tag: 'vip' } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.field).toBe('name');
    expect((await s.api('GET', '/v1/segments/seg_nope')).status).toBe(404);
    expect((await s.api('PUT', '/v1/segments/seg_nope', { name: 'x', rule: { tag: 'x' } })).status).toBe(404);
  });

  it('are for admins and marketers to write, analysts to read', async () => {
    const [marketer, analyst, support] = [
      await s.keyFor('marketer'),
      await s.keyFor('analyst'),
      await s.keyFor('support'),
    ];
    const body = { name: 'roles', rule: { tag: 'vip' } };
    expect((await s.api('POST', '/v1/segments', body, { key: analyst })).status).toBe(403);
    const made = await s.api('POST', '/v1/segments', body, { key: marketer });
    expect(made.status).toBe(201);
    expect((await s.api('GET', `/v1/segments/${made.body.id}`, undefined, { key: analyst })).status).toBe(200);
    expect(await allMembers(made.body.id, analyst)).toEqual(sorted(a, b));
    expect((await s.api('DELETE', `/v1/segments/${made.body.id}`, undefined, { key: analyst })).status).toBe(403);
    expect((await s.api('GET', '/v1/segments', undefined, { key: support })).status).toBe(403);
    expect((await s.api('GET', '/v1/tags', undefined, { key: support })).status).toBe(403);
    expect((await s.api('POST', '/v1/tags', body, { key: analyst })).status).toBe(403);
  });
});

describe('membership upkeep', () => {
  it('publishes segment.entered / segment.exited once per change, in the transaction of the change', async () => {
    const seg = await must(s, 'POST', '/v1/segments', { name: '上海', rule: { trait: { name: 'city', eq: '上海' } } });
    expect(seg.size).toBe(1);
    expect(await eventsOf(seg.id)).toEqual([`segment.entered ${a}`]);

    // C moves to Shanghai, A leaves: nothing changes until a refresh, then exactly one event each.
    await identify({ identifiers: [{ type: 'phone', value: cPhone }], traits: { city: '上海' } });
    await identify({ identifiers: [{ type: 'phone', value: aPhone }], traits: { city: '苏州' } });
    expect(await allMembers(seg.id)).toEqual([a]);
    // two refreshes at once (two connections on PostgreSQL): they take turns on the segment's row
    const [r1, r2] = await Promise.all([refreshSegment(db, seg.id), refreshSegment(db, seg.id)]);
    expect(r1!.entered + r2!.entered).toBe(1);
    expect(r1!.exited + r2!.exited).toBe(1);
    expect(await refreshSegment(db, seg.id)).toEqual({ size: 1, entered: 0, exited: 0 });
    expect(await allMembers(seg.id)).toEqual([c]);
    expect(await eventsOf(seg.id)).toEqual([`segment.entered ${a}`, `segment.exited ${a}`, `segment.entered ${c}`]);
    expect((await must(s, 'GET', `/v1/segments/${seg.id}`)).size).toBe(1);

    // A PUT is a change too: back to A's city.
    await must(s, 'PUT', `/v1/segments/${seg.id}`, { name: '上海', rule: { trait: { name: 'city', eq: '苏州' } } });
    expect((await eventsOf(seg.id)).slice(3)).toEqual([`segment.exited ${c}`, `segment.entered ${a}`]);
    // put the fixture back
    await identify({ identifiers: [{ type: 'phone', value: aPhone }], traits: { city: '上海' } });
    await identify({ identifiers: [{ type: 'phone', value: cPhone }], traits: { city: '北京' } });
    await must(s, 'DELETE', `/v1/segments/${seg.id}`);
  });

  it('the dispatcher task refreshes what is overdue, computed tags first, once per period', async () => {
    const seg = await must(s, 'POST', '/v1/segments', {
      name: 'upkeep',
      rule: { trait: { name: 'city', eq: '北京' } },
    });
    expect(seg.size).toBe(1);
    // nothing is overdue within the period (the presets were never attempted: they are claimed first)
    const claimed: string[] = [];
    for (let id = await claimDue(db, 3600); id; id = await claimDue(db, 3600)) claimed.push(id);
    expect(claimed.every((id) => id.startsWith('tag_'))).toBe(true);
    expect(claimed).not.toContain(seg.id);
    await identify({ identifiers: [{ type: 'phone', value: cPhone }], traits: { city: '广州' } });
    const task = segmentUpkeepTask(db, createLogger('silent'), 0);
    expect(await task()).toBeGreaterThanOrEqual(1);
    expect(await allMembers(seg.id)).toEqual([]);
    expect(await eventsOf(seg.id)).toEqual([`segment.entered ${c}`, `segment.exited ${c}`]);
    const everyHour = segmentUpkeepTask(db, createLogger('silent'), 3600);
    expect(await everyHour()).toBe(0);
    await identify({ identifiers: [{ type: 'phone', value: cPhone }], traits: { city: '北京' } });
    await must(s, 'DELETE', `/v1/segments/${seg.id}`);
  });

  it('an erased person leaves every membership and is not counted again', async () => {
    const x = (await identify({ identifiers: [{ type: 'phone', value: phone() }], traits: { city: '成都' } }))
      .customer_id;
    const seg = await must(s, 'POST', '/v1/segments', { name: '成都', rule: { trait: { name: 'city', eq: '成都' } } });
    expect(await allMembers(seg.id)).toEqual([x]);
    await must(s, 'DELETE', `/v1/customers/${x}`, undefined, [202]);
    expect(await allMembers(seg.id)).toEqual([]);
    expect(await refreshSegment(db, seg.id)).toEqual({ size: 0, entered: 0, exited: 0 });
    await must(s, 'DELETE', `/v1/segments/${seg.id}`);
  });
});

describe('members CSV', () => {
  it('streams every member id, audited as an export and counted by the bulk-access guard', async () => {
    const key = await s.keyFor('marketer');
    const seg = await must(s, 'POST', '/v1/segments', { name: 'everyone', rule: { created: { within_days: 1 } } });
    expect(seg.size).toBe(4); // A, B, C, D: never the erased E nor B's merged half
    const csv = async () => {
      const r = await fetch(`${s.url}/v1/segments/${seg.id}/members`, {
        headers: { authorization: `Bearer ${key}`, accept: 'text/csv' },
      });
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    };
    const first = await csv();
    expect(first.status).toBe(200);
    expect(first.type).toContain('text/csv');
    const lines = first.text.trim().split('\n');
    expect(lines[0]).toBe('customer_id,entered_at');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(sorted(a, b, c, d));
    const audited = await db
      .selectFrom('audit_log')
      .select(['action', 'subject', 'details'])
      .where('action', '=', 'segment.export')
      .execute();
    expect(audited).toEqual([{ action: 'segment.export', subject: seg.id, details: { records: 4 } }]);
    // 4 ids are within the limit of 4; the next export takes the key beyond it: delivered, alert raised
    const second = await csv();
    expect(second.status).toBe(200);
    const alerts = await db.selectFrom('security_alerts').select(['kind', 'details']).execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'bulk_access', details: { reads: 8, limit: 4 } });
    // block mode (the default): the key's further reads and exports are refused until cleared
    expect((await csv()).status).toBe(429);
    await must(s, 'DELETE', `/v1/segments/${seg.id}`);
  });
});

describe('computed tags', () => {
  it('ship the four presets, editable, with rules of the language', async () => {
    const tags = (await must(s, 'GET', '/v1/tags')).items as { name: string; preset: boolean; rule: unknown }[];
    const presets = tags.filter((t) => t.preset).map((t) => t.name);
    expect(presets.sort()).toEqual(['3C发烧友', '价格敏感', '母婴人群', '高消费力'].sort());
    for (const t of tags) expect(() => parseRule(t.rule)).not.toThrow();
    // price-sensitive: ≥ 60 % of orders used a coupon: D (2 of 3), not A (0 of 2) nor B (0 of 1)
    const price = await must(s, 'GET', `/v1/tags/${encodeURIComponent('价格敏感')}`);
    await refreshSegment(db, price.id);
    expect((await must(s, 'GET', `/v1/tags/${encodeURIComponent('价格敏感')}`)).size).toBe(1);
    const members = await must(s, 'POST', '/v1/segments/preview', { rule: { tag: '价格敏感' } });
    expect(members.sample).toEqual([d]);
    const low = await must(s, 'POST', '/v1/segments/preview', {
      rule: { ordered: { coupon_share: { lt: 0.5 } } },
    });
    expect(low.sample).toEqual(sorted(a, b));
    const bad = await s.api('POST', '/v1/segments/preview', { rule: { ordered: { coupon_share: { gte: 60 } } } });
    expect(bad.body.error).toMatchObject({ code: 'invalid_rule', field: 'rule.ordered.coupon_share.gte' });
    // editable
    const edited = await must(s, 'PUT', `/v1/tags/${encodeURIComponent('价格敏感')}`, {
      name: '价格敏感',
      description: 'half of the orders',
      rule: { ordered: { coupon_share: { gte: 0.5 }, count: { gte: 2 } } },
    });
    expect(edited).toMatchObject({ preset: true, size: 1, description: 'half of the orders' });
  });

  it('are usable in rules (OR manual tags) and shown on the profile with their source', async () => {
    const t = await s.api('POST', '/v1/tags', {
      name: '牛奶控',
      rule: { ordered: { sku: 'MILK', count: { gte: 2 } } },
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    expect(t.body).toMatchObject({ name: '牛奶控', size: 1, preset: false });
    expect((await s.api('POST', '/v1/tags', { name: '牛奶控', rule: { tag: 'x' } })).status).toBe(409);
    expect((await s.api('POST', '/v1/tags', { name: 'a/b', rule: { tag: 'x' } })).status).toBe(400);
    // a manual tag of the same name on C: the leaf matches either
    await must(s, 'PUT', `/v1/customers/${c}/tags/${encodeURIComponent('牛奶控')}`);
    const seg = await must(s, 'POST', '/v1/segments', { name: 'milk lovers', rule: { tag: '牛奶控' } });
    expect(sorted(...(await allMembers(seg.id)))).toEqual(sorted(a, c));
    expect((await profile(a)).computed_tags).toEqual(
      expect.arrayContaining([
        { tag: '牛奶控', source: 'rule', since: expect.any(String) },
        { tag: 'vip', source: 'manual', since: null },
      ]),
    );
    expect((await profile(c)).computed_tags).toEqual([{ tag: '牛奶控', source: 'manual', since: null }]);
    // renamed: the segment's rule names the old tag, which now only C carries by hand
    await must(s, 'PUT', `/v1/tags/${encodeURIComponent('牛奶控')}`, { name: '奶制品', rule: t.body.rule });
    expect((await must(s, 'GET', `/v1/tags/${encodeURIComponent('奶制品')}`)).id).toBe(t.body.id);
    expect(await refreshSegment(db, seg.id)).toEqual({ size: 1, entered: 0, exited: 1 });
    expect(await eventsOf(t.body.id)).toEqual([`tag.entered ${a}`]);
    await must(s, 'DELETE', `/v1/tags/${encodeURIComponent('奶制品')}`);
    expect((await s.api('GET', `/v1/tags/${encodeURIComponent('奶制品')}`)).status).toBe(404);
    expect((await profile(a)).computed_tags).toEqual([{ tag: 'vip', source: 'manual', since: null }]);
    await must(s, 'DELETE', `/v1/segments/${seg.id}`);
  });
});
