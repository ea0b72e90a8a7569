import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

let s: TestServer;
let n = 0;
const phone = () => `1390000${String(++n).padStart(4, '0')}`;
const DAY = 86_400_000;
const identify = (body: Record<string, unknown>) => must(s, 'POST', '/v1/identify', { channel: 'app', ...body });
const event = (
  who: Record<string, string>,
  type: string,
  daysAgo: number,
  properties: Record<string, unknown> = {},
) => ({
  event_id: `seg-${process.pid}-${++n}`,
  type,
  occurred_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
  channel: 'app',
  properties,
  ...who,
});
async function paidOrder(customerId: string, sku: string, qty: number) {
  const o = await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    customer: { id: customerId },
    lines: [{ sku, qty }],
    fulfillment: { type: 'pickup', location_id: 'mid' },
  });
  await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
}
const preview = (rule: unknown, key?: string) => s.api('POST', '/v1/segments/preview', { rule }, key ? { key } : {});
async function members(rule: unknown): Promise<string[]> {
  const r = await preview(rule);
  if (r.status !== 200) throw new Error(`preview → ${r.status} ${JSON.stringify(r.body)}`);
  expect(r.body.size).toBe(r.body.sample.length);
  return r.body.sample;
}

// A: Shanghai, vip, SMS consent, two milk orders (2 × 1290), viewed a TV twice this week.
// B: a merged pair (the older phone half survives as root); the member card half is tagged vip,
//    lives in Hangzhou and bought chips (3 × 999 = 2997) before the merge.
// C: Beijing, viewed a TV 40 days ago, never ordered. Plus an anonymous visitor who viewed a TV today,
// and an erased Shanghai customer.
let a: string, b: string, c: string;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { mid: { MILK: 100, CHIPS: 100 } });
  a = (await identify({ identifiers: [{ type: 'phone', value: phone() }], traits: { city: '上海' } })).customer_id;
  const [bPhone, bCardNo] = [phone(), `MC-${process.pid}-${n}`];
  b = (await identify({ identifiers: [{ type: 'phone', value: bPhone }] })).customer_id;
  const bCard = (await identify({ identifiers: [{ type: 'member_card', value: bCardNo }], traits: { city: '杭州' } }))
    .customer_id;
  c = (await identify({ identifiers: [{ type: 'phone', value: phone() }], traits: { city: '北京' } })).customer_id;
  const erased = (await identify({ identifiers: [{ type: 'phone', value: phone() }], traits: { city: '上海' } }))
    .customer_id;
  await must(s, 'DELETE', `/v1/customers/${erased}`, undefined, [202]);
  await must(s, 'PUT', `/v1/customers/${a}/tags/vip`);
  await must(s, 'PUT', `/v1/customers/${bCard}/tags/vip`);
  await must(s, 'PUT', `/v1/customers/${a}/consents/marketing_sms`, { granted: true, channel: 'app', source: 'form' });
  await paidOrder(a, 'MILK', 1);
  await paidOrder(a, 'MILK', 1);
  await paidOrder(bCard, 'CHIPS', 3);
  const ingested = await must(s, 'POST', '/v1/events', {
    events: [
      event({ customer_id: a }, 'product_viewed', 1, { sku: 'TV' }),
      event({ customer_id: a }, 'product_viewed', 2, { sku: 'TV' }),
      event({ customer_id: c }, 'product_viewed', 40, { sku: 'TV' }),
      event({ anonymous_id: `anon-${process.pid}` }, 'product_viewed', 0, { sku: 'TV' }),
    ],
  });
  expect(ingested.accepted).toBe(4);
  const merged = await identify({
    identifiers: [
      { type: 'phone', value: bPhone },
      { type: 'member_card', value: bCardNo },
    ],
  });
  expect(merged.customer_id).toBe(b);
  expect(merged.merged).toHaveLength(1);
});
afterAll(async () => s?.close());

const sorted = (...ids: string[]) => [...ids].sort();

describe('POST /v1/segments/preview', () => {
  it('counts a merged group once, as its root, with facts of every member', async () => {
    expect(await members({ tag: 'vip' })).toEqual(sorted(a, b));
    expect(await members({ trait: { name: 'city', eq: '杭州' } })).toEqual([b]);
    expect(await members({ ordered: { category: 'snacks' } })).toEqual([b]);
  });

  it('combines with all, any and not', async () => {
    expect(await members({ not: { tag: 'vip' } })).toEqual([c]);
    expect(
      await members({
        any: [{ trait: { name: 'city', eq: '北京' } }, { consent: { purpose: 'marketing_sms', granted: true } }],
      }),
    ).toEqual(sorted(a, c));
    expect(await members({ consent: { purpose: 'marketing_sms', granted: false } })).toEqual(sorted(b, c));
    expect(
      await members({ all: [{ tag: 'vip' }, { not: { trait: { name: 'city', in: ['上海', '北京'] } } }] }),
    ).toEqual([b]);
    expect(await members({ trait: { name: 'city', exists: true } })).toEqual(sorted(a, b, c));
    expect(await members({ trait: { name: 'city', contains: '海' } })).toEqual([a]);
    expect(await members({ created: { within_days: 1 } })).toEqual(sorted(a, b, c)); // not the erased one
    expect(await members({ trait: { name: "city' OR true --", neq: "x'); DROP TABLE x; --" } })).toEqual(
      sorted(a, b, c),
    );
  });

  it('counts events within a window, never anonymous profiles', async () => {
    expect(await members({ event: { type: 'product_viewed' } })).toEqual(sorted(a, c));
    expect(await members({ event: { type: 'product_viewed', within_days: 7 } })).toEqual([a]);
    expect(await members({ event: { type: 'product_viewed', properties: { sku: 'TV' }, count: { gte: 2 } } })).toEqual([
      a,
    ]);
    expect(await members({ event: { type: 'product_viewed', properties: { sku: 'MILK' } } })).toEqual([]);
    expect(await members({ event: { type: 'product_viewed', count: { lt: 1 } } })).toEqual([b]);
  });

  it('counts orders and spend (fen), including people who ordered nothing', async () => {
    expect(await members({ ordered: { count: { gte: 2 } } })).toEqual([a]);
    expect(await members({ ordered: { spend: { gte: 2500 } } })).toEqual(sorted(a, b));
    expect(await members({ ordered: { spend: { gt: 2580 } } })).toEqual([b]);
    expect(await members({ ordered: { sku: 'MILK', spend: { eq: 2580 }, within_days: 30 } })).toEqual([a]);
    expect(await members({ ordered: { count: { eq: 0 } } })).toEqual([c]);
    expect(await members({ ordered: { channel: 'pos' } })).toEqual([]);
  });

  it('answers 422 naming the path of the fault in the rule', async () => {
    const cases: [unknown, string, string?][] = [
      [{ all: [{ tag: 'vip' }, { event: { type: 'x', within_days: 0 } }] }, 'rule.all[1].event.within_days'],
      [{ consent: { purpose: 'spam', granted: true } }, 'rule.consent.purpose'],
      [{ consent: { purpose: 'analytics' } }, 'rule.consent.granted'],
      [{ trait: { name: 'city', foo: 1 } }, 'rule.trait.foo'],
      [{ any: [] }, 'rule.any'],
      [{ not: { bogus: 1 } }, 'rule.not.bogus'],
      [{ ordered: { spend: { gte: -1 } } }, 'rule.ordered.spend.gte'],
      [{ event: { type: 'x', count: { in: [1, 'two'] } } }, 'rule.event.count.in[1]'],
      [{ tag: 'a', not: { tag: 'b' } }, 'rule'],
      [{ tier: { in: [1] } }, 'rule.tier.in[0]'],
      [{ clv: { p_alive: { lt: 'low' } } }, 'rule.clv.p_alive.lt'],
    ];
    for (const [rule, field, code = 'invalid_rule'] of cases) {
      const r = await preview(rule);
      expect({ rule, status: r.status, error: r.body.error }).toMatchObject({
        rule,
        status: 422,
        error: { code, field },
      });
    }
  });

  it('is for admins, marketers and analysts', async () => {
    expect((await preview({ tag: 'vip' }, await s.keyFor('analyst'))).status).toBe(200);
    expect((await preview({ tag: 'vip' }, await s.keyFor('support'))).status).toBe(403);
  });
});
