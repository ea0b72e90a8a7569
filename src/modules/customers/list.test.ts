import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { backfillSearchKeys, searchKeysBackfillTask } from './search-keys';

// Issue 16, Customers: the list shows name by role, tier, spend and last sale, sorts by them,
// counts the matches, finds people by phone tail and exact name (blind indexes), exports CSV.

let s: TestServer;
const keys: Record<string, string> = {};
const people: Record<string, string> = {};
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { mid: { MILK: 100, TV: 10 } });
  for (const [role, extra] of [
    ['marketer', {}],
    ['support', {}],
    ['store_staff', { location_id: 'mid' }],
  ] as const)
    keys[role] = await s.keyFor(role, extra);
  for (const [who, phone, name] of [
    ['wang', '13911117301', '王小明'],
    ['li', '13922227301', '李 丽'],
    ['zhao', '13933338888', 'Zhao Lei'],
  ] as const) {
    people[who] = (
      await must(s, 'POST', '/v1/identify', {
        channel: 'app',
        identifiers: [{ type: 'phone', value: phone }],
        traits: { name },
      })
    ).customer_id;
  }
  // Wang buys a TV at the till, Li milk online (paid), Zhao nothing.
  const sell = (phone: string, sku: string, channel: 'pos' | 'app') =>
    must(s, 'POST', '/v1/orders', {
      channel,
      customer: { type: 'phone', value: phone },
      lines: [{ sku, qty: 1 }],
      fulfillment:
        channel === 'pos' ? { type: 'in_store', location_id: 'mid' } : { type: 'pickup', location_id: 'mid' },
    });
  await sell('13911117301', 'TV', 'pos');
  const online = await sell('13922227301', 'MILK', 'app');
  await must(s, 'POST', `/v1/orders/${online.id}/pay`, { payment_ref: 'pay-list-1' });
});
afterAll(async () => s?.close());

const list = async (query: string, key?: string) => {
  const r = await s.api('GET', `/v1/customers${query}`, undefined, key ? { key } : {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { items: any[]; total: number; next_cursor: string | null };
};

describe('customers list', () => {
  it('finds people by the last 4 digits of a phone and by exact name, through blind indexes', async () => {
    const tail = await list('?q=7301');
    expect(tail.items.map((c) => c.id).sort()).toEqual([people.wang, people.li].sort());
    expect(tail.total).toBe(2);
    expect((await list(`?q=${encodeURIComponent('王小明')}`)).items.map((c) => c.id)).toEqual([people.wang]);
    // names match as normalised: case, spacing and full-width letters do not matter
    expect((await list(`?q=${encodeURIComponent('  zhao   LEI ')}`)).items.map((c) => c.id)).toEqual([people.zhao]);
    expect((await list(`?q=${encodeURIComponent('ｚｈａｏ ｌｅｉ')}`)).items.map((c) => c.id)).toEqual([people.zhao]);
    expect((await list(`?q=${encodeURIComponent('王小')}`)).total).toBe(0); // exact, not a prefix
    expect((await list('?q=13933338888')).items.map((c) => c.id)).toEqual([people.zhao]);
    // the index holds HMACs, never the tail or the name
    const db = s.santong.ctx.database.db;
    const rows = await db
      .selectFrom('customer_search_keys')
      .selectAll()
      .where('customer_id', '=', people.wang)
      .execute();
    expect(rows.map((r) => r.kind).sort()).toEqual(['name', 'phone_tail']);
    for (const r of rows) expect(r.hash).not.toMatch(/7301|王/);
    expect((await s.api('GET', '/v1/customers?q=7301', undefined, { key: keys.marketer })).status).toBe(403);
  });

  it('shows the name by role, tier, spend and last sale with its channel', async () => {
    const admin = (await list(`?q=7301`)).items.find((c) => c.id === people.wang);
    expect(admin).toMatchObject({
      name: '王小明',
      total_spend: 399900,
      last_sale_channel: 'pos',
      tier: { code: 'silver', display_name: { 'zh-CN': '银卡会员' } }, // 3999 yuan in 12 months
    });
    expect(Date.parse(admin.last_sale_at)).toBeGreaterThan(Date.now() - 60_000);
    const staff = (await list('?q=7301', keys.store_staff)).items.find((c) => c.id === people.wang);
    expect(staff.name).toBe('王**');
    expect(staff.name).not.toContain('小明');
    const marketer = (await list('?sort=spend', keys.marketer)).items.find((c) => c.id === people.wang);
    expect(marketer.name).toBeNull();
    const zhao = (await list('?q=13933338888')).items[0];
    expect(zhao).toMatchObject({ total_spend: 0, last_sale_at: null, last_sale_channel: null });
  });

  it('sorts by spend and last sale, largest first, page by page, and counts every match', async () => {
    const all = await list('');
    expect(all.total).toBe(3);
    const bySpend = await list('?sort=spend');
    expect(bySpend.items.map((c) => c.id)).toEqual([people.wang, people.li, people.zhao]);
    const first = await list('?sort=spend&limit=1');
    expect(first.items.map((c) => c.id)).toEqual([people.wang]);
    expect(first.total).toBe(3);
    const second = await list(`?sort=spend&limit=1&cursor=${first.next_cursor}`);
    expect(second.items.map((c) => c.id)).toEqual([people.li]);
    const byLast = await list('?sort=last_sale');
    expect(byLast.items.map((c) => c.id)).toEqual([people.li, people.wang, people.zhao]);
    const byTier = (await list('?sort=tier')).items;
    expect(byTier[0]).toMatchObject({ id: people.wang, tier: { code: 'silver' } });
    expect(byTier.slice(1).map((c) => c.tier.code)).toEqual(['member', 'member']);
    const bad = await s.api('GET', '/v1/customers?sort=name');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('sort');
  });

  it('exports the list as CSV for admins and marketers, audited and counted', async () => {
    const r = await s.api('GET', '/v1/customers?sort=spend', undefined, { headers: { accept: 'text/csv' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const lines = String(r.body).trim().split('\n');
    expect(lines[0]).toBe('id,name,tier,total_spend_fen,last_sale_at,last_sale_channel,created_at');
    expect(lines[1]).toMatch(new RegExp(`^${people.wang},王小明,silver,399900,`));
    expect(lines).toHaveLength(4);
    const db = s.santong.ctx.database.db;
    const audited = await db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'customer.export')
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0].details).toMatchObject({ records: 3 });
    const m = await s.api('GET', '/v1/customers', undefined, { key: keys.marketer, headers: { accept: 'text/csv' } });
    expect(m.status).toBe(200);
    expect(String(m.body).split('\n')[1]).toMatch(/^cus_[^,]+,,/); // no names for marketers
    const staff = await s.api('GET', '/v1/customers', undefined, {
      key: keys.store_staff,
      headers: { accept: 'text/csv' },
    });
    expect(staff.status).toBe(403);
  });

  it('keeps the search keys with renames and backfills customers that have none', async () => {
    await must(s, 'POST', '/v1/identify', {
      channel: 'app',
      identifiers: [{ type: 'phone', value: '13933338888' }],
      traits: { name: '赵磊' },
    });
    expect((await list(`?q=${encodeURIComponent('赵磊')}`)).items.map((c) => c.id)).toEqual([people.zhao]);
    expect((await list('?q=zhao%20lei')).total).toBe(0);
    const db = s.santong.ctx.database.db;
    await db.deleteFrom('customer_search_keys').execute();
    expect((await list('?q=7301')).total).toBe(0);
    // the dispatcher's task for a database from before the keys: a batch per tick, resumed, then done
    await db.deleteFrom('settings').where('key', '=', 'customers.search_keys_backfill').execute();
    const { database, keys: ring, log } = s.santong.ctx;
    const task = searchKeysBackfillTask(database, ring, log);
    await task(); // the one batch (3 customers)
    expect((await list('?q=7301')).total).toBe(2);
    await task(); // finds none left
    const state = await db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'customers.search_keys_backfill')
      .executeTakeFirst();
    expect(state?.value).toEqual({ done: true });
    // the demo seed's full pass
    await db.deleteFrom('customer_search_keys').execute();
    expect(await backfillSearchKeys(database, ring)).toBe(3);
    expect((await list('?q=7301')).total).toBe(2);
    expect((await list(`?q=${encodeURIComponent('赵磊')}`)).items.map((c) => c.id)).toEqual([people.zhao]);
  });
});
