import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { localDayHour } from '../../platform/nightly';
import { inHoldout } from './enrol';

/**
 * Journeys over HTTP on a real server whose runner ticks every 50 ms: definition checks, the
 * win-back and viewed-not-bought flows, an A/B split with per-variant goal rates, holdout
 * stability, and pausing.
 */

let s: TestServer;
let n = 0;
const DAY = 86_400_000;
const phone = () => `1390000${String(++n).padStart(4, '0')}`;
const person = async (traits: Record<string, unknown> = {}) =>
  (await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: phone() }], traits }))
    .customer_id as string;
const consent = (id: string) =>
  must(s, 'PUT', `/v1/customers/${id}/consents/marketing_sms`, { granted: true, channel: 'app', source: 'form' });
const event = (customerId: string, type: string, properties: Record<string, unknown>, daysAgo = 0) =>
  must(s, 'POST', '/v1/events', {
    events: [
      {
        event_id: `jrn-${process.pid}-${++n}`,
        type,
        occurred_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
        channel: 'app',
        customer_id: customerId,
        properties,
      },
    ],
  });
const posSale = (customerId: string, sku: string) =>
  must(s, 'POST', '/v1/orders', {
    channel: 'pos',
    customer: { id: customerId },
    lines: [{ sku, qty: 1 }],
    fulfillment: { type: 'in_store', location_id: 'near' },
  });
const create = (body: unknown) => s.api('POST', '/v1/journeys', body);
async function activeJourney(body: Record<string, unknown>): Promise<string> {
  const j = await must(s, 'POST', '/v1/journeys', body, [201]);
  expect(j.state).toBe('draft');
  expect((await must(s, 'POST', `/v1/journeys/${j.id}/activate`)).state).toBe('active');
  return j.id;
}
const report = (id: string) => must(s, 'GET', `/v1/journeys/${id}/report`);
async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
interface StepFigures {
  id: string;
  done: number;
  suppressed: Record<string, number>;
}
const step = (r: { steps: StepFigures[] }, id: string) => r.steps.find((x) => x.id === id);
const template = async (name: string, extra: Record<string, unknown> = {}) =>
  (
    await must(s, 'POST', '/v1/coupon-templates', {
      name,
      kind: 'amount_off',
      value: 1000,
      channels: ['online', 'pos'],
      valid_days_after_claim: 30,
      ...extra,
    })
  ).id as string;
const wallet = (id: string) => must(s, 'GET', `/v1/customers/${id}/wallet?channel=pos&location_id=near`);
const messagesOf = async (journeyId: string) =>
  (await must(s, 'GET', `/v1/messages?journey_id=${journeyId}`)).items as {
    customer_id: string;
    status: string;
    reason: string | null;
  }[];

let winback: string;
beforeAll(async () => {
  s = await startTestServer({ env: { SANTONG_JOURNEY_TICK_MS: '50', SANTONG_SEGMENT_REFRESH_SECONDS: '0' } });
  await setupGoods(s, { near: { TV: 100, MILK: 100, CHIPS: 100 } });
  winback = await template('老客回归 ¥10');
  // messages go out at once: no quiet hours in these tests (their own tests are messaging's)
  await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: { max: 2, days: 7 } });
}, 120_000);
afterAll(async () => s?.close());

describe('definitions', () => {
  it('422 names the path of the fault, branch rules included', async () => {
    const ok = { name: 'x', trigger: { event: { type: 'product_viewed' } } };
    const cases: [unknown, string][] = [
      [
        {
          ...ok,
          steps: [
            { id: 'a', exit: {} },
            { id: 'b', wait: { duration: 'P3X' } },
          ],
        },
        'steps[1].wait.duration',
      ],
      [{ ...ok, steps: [{ id: 'w', wait: { until_time_of_day: '25:00' } }] }, 'steps[0].wait.until_time_of_day'],
      [
        { ...ok, steps: [{ id: 'b', branch: { if: { since_entry: { ordered: { sku: 7 } } }, then: [] } }] },
        'steps[0].branch.if.since_entry.ordered.sku',
      ],
      [{ ...ok, steps: [{ id: 'b', branch: { if: { tier: { eq: 'platinum' } } } }] }, 'steps[0].branch.if.tier.eq'],
      [
        { ...ok, steps: [{ id: 'b', branch: { if: { ordered: { sku: '$trigger.no-such' } } } }] },
        'steps[0].branch.if.ordered.sku',
      ],
      [
        {
          name: 'x',
          trigger: { inactive: { days: 30 } },
          steps: [{ id: 'b', branch: { if: { since_entry: { ordered: { sku: '$trigger.sku' } } } } }],
        },
        'steps[0].branch.if.since_entry.ordered.sku',
      ],
      [{ ...ok, steps: [{ id: 'c', issue_coupon: { template_id: 'nope' } }] }, 'steps[0].issue_coupon.template_id'],
      [{ ...ok, steps: [{ id: 'm', send_message: { channel: 'fax', text: 'hi' } }] }, 'steps[0].send_message.channel'],
      [
        { ...ok, steps: [{ id: 'm', send_message: { channel: 'sms', text: 'hi {{age}}' } }] },
        'steps[0].send_message.text',
      ],
      [
        {
          ...ok,
          steps: [
            { id: 'a', exit: {} },
            { id: 'a', exit: {} },
          ],
        },
        'steps[1].id',
      ],
      [
        {
          ...ok,
          steps: [
            {
              id: 's',
              split: {
                variants: [
                  { name: 'A', weight: 50, steps: [] },
                  { name: 'B', weight: 0, steps: [] },
                ],
              },
            },
          ],
        },
        'steps[0].split.variants[1].weight',
      ],
      [{ ...ok, trigger: { inactive: { days: 0 } }, steps: [{ id: 'a', exit: {} }] }, 'trigger.inactive.days'],
      [{ ...ok, trigger: { segment_entered: 'seg_nope' }, steps: [{ id: 'a', exit: {} }] }, 'trigger.segment_entered'],
      [{ ...ok, steps: [{ id: 'a', exit: {} }], goal: { ordered: { sku: 'TV' } } }, 'goal.ordered.within_days'],
      [{ ...ok, steps: [{ id: 'a', exit: {} }], holdout_percent: 101 }, 'holdout_percent'],
    ];
    for (const [body, field] of cases) {
      const r = await create(body);
      expect([r.status, r.body.error?.field], JSON.stringify(body)).toEqual([422, field]);
    }
    const fine = await create({
      ...ok,
      steps: [
        { id: 'w', wait: { duration: 'P1DT2H' } },
        { id: 'e', exit: {} },
      ],
    });
    expect(fine.status).toBe(201);
    expect((await s.api('GET', `/v1/journeys/${fine.body.id}`)).body.steps[0]).toEqual({
      id: 'w',
      wait: { duration: 'P1DT2H' },
    });
  });

  it('marketers write, analysts read, store staff neither; an archived journey is not activated again', async () => {
    const analyst = await s.keyFor('analyst');
    const body = { name: 'roles', trigger: { event: { type: 'x_roles' } }, steps: [{ id: 'e', exit: {} }] };
    expect((await s.api('POST', '/v1/journeys', body, { key: analyst })).status).toBe(403);
    const j = (await s.api('POST', '/v1/journeys', body, { key: await s.keyFor('marketer') })).body;
    expect((await s.api('GET', `/v1/journeys/${j.id}/report`, undefined, { key: analyst })).status).toBe(200);
    expect((await s.api('GET', '/v1/journeys', undefined, { key: await s.keyFor('support') })).status).toBe(403);
    expect((await s.api('POST', `/v1/journeys/${j.id}/archive`)).body.state).toBe('archived');
    expect((await s.api('POST', `/v1/journeys/${j.id}/activate`)).status).toBe(409);
  });
});

describe('flows', () => {
  it('1. win-back: 30 days without a sale or store visit → a coupon and an SMS; without consent the coupon only', async () => {
    const consented = await person({ name: '王芳' });
    await consent(consented);
    const noConsent = await person();
    const recent = await person();
    await event(consented, 'store_visit', { location_id: 'near' }, 40);
    await event(noConsent, 'store_visit', { location_id: 'near' }, 35);
    await event(recent, 'store_visit', { location_id: 'near' }, 40);
    await event(recent, 'store_visit', { location_id: 'near' }, 3);
    const id = await activeJourney({
      name: '老客回归',
      trigger: { inactive: { days: 30 } },
      steps: [
        { id: 'coupon', issue_coupon: { template_id: winback } },
        { id: 'sms', send_message: { channel: 'sms', text: '亲爱的{{name}}，好久不见！券码 {{coupon}}' } },
      ],
    });
    const r = await until(
      'win-back done',
      () => report(id),
      (x) => x.completed === 2,
    );
    expect([r.entered, r.holdout, r.active, r.exited]).toEqual([2, 0, 0, 0]);
    expect(step(r, 'coupon')).toEqual({ id: 'coupon', done: 2, suppressed: {} });
    expect(step(r, 'sms')).toEqual({ id: 'sms', done: 1, suppressed: { no_consent: 1 } });
    expect(r.coupons).toEqual({ issued: 2, redeemed: 0 });
    for (const who of [consented, noConsent])
      expect((await wallet(who)).coupons.map((c: { template_id: string }) => c.template_id)).toEqual([winback]);
    expect((await wallet(recent)).coupons).toEqual([]);
    const msgs = await messagesOf(id);
    expect(msgs.map((m) => [m.customer_id, m.status === 'suppressed' ? m.reason : 'sent'])).toEqual(
      expect.arrayContaining([
        [consented, 'sent'],
        [noConsent, 'no_consent'],
      ]),
    );
    // the scan runs again (hourly; here at the next activation's tick): the same spell enters nobody twice
    expect((await report(id)).entered).toBe(2);
  });

  it('2. viewed, not bought within the wait → a coupon for that SKU, usable at the till; bought → none', async () => {
    const tpl = await template('看了没买 ¥10');
    const id = await activeJourney({
      name: 'viewed-not-bought',
      trigger: { event: { type: 'product_viewed' } },
      steps: [
        { id: 'wait', wait: { duration: 'PT2S' } },
        {
          id: 'bought',
          branch: {
            if: { since_entry: { ordered: { sku: '$trigger.sku' } } },
            then: [{ id: 'done', exit: {} }],
            else: [{ id: 'coupon', issue_coupon: { template_id: tpl, sku_from_trigger: true } }],
          },
        },
      ],
    });
    const viewer = await person();
    const buyer = await person();
    await event(viewer, 'product_viewed', { sku: 'TV' });
    await event(buyer, 'product_viewed', { sku: 'MILK' });
    await until(
      'both entered',
      () => report(id),
      (x) => x.entered === 2,
    );
    await posSale(buyer, 'MILK');
    const r = await until(
      'branch done',
      () => report(id),
      (x) => x.completed + x.exited === 2,
    );
    expect(step(r, 'wait')!.done).toBe(2);
    expect(step(r, 'bought')!.done).toBe(2);
    expect(step(r, 'coupon')!.done).toBe(1);
    expect(step(r, 'done')!.done).toBe(1);
    expect([r.completed, r.exited]).toEqual([1, 1]);
    const coupons = (await wallet(viewer)).coupons;
    expect(coupons.map((c: { template_id: string; skus: string[] | null }) => [c.template_id, c.skus])).toEqual([
      [tpl, ['TV']],
    ]);
    expect((await wallet(buyer)).coupons).toEqual([]);
  });

  it('date and segment triggers: a birthday (a personal trait) in 3 days, a new member of a segment', async () => {
    const day = (d: number) => localDayHour(new Date(Date.now() + d * DAY), s.config.timezone).day.slice(5);
    const soon = await person({ birthday: `1990-${day(3)}` });
    await person({ birthday: `1991-${day(10)}` });
    const birthdays = await activeJourney({
      name: 'birthday',
      trigger: { date_trait: { trait: 'birthday', days_before: 3 } },
      steps: [{ id: 'tag', add_tag: 'birthday_soon' }],
    });
    const segment = await must(
      s,
      'POST',
      '/v1/segments',
      { name: `vip ${process.pid}`, rule: { tag: 'vip_fixture' } },
      [201],
    );
    const welcome = await activeJourney({
      name: 'welcome vip',
      trigger: { segment_entered: segment.id },
      steps: [{ id: 'tag', add_tag: 'vip_welcomed' }],
    });
    const vip = await person();
    await must(s, 'PUT', `/v1/customers/${vip}/tags/vip_fixture`);
    await until(
      'birthday',
      () => report(birthdays),
      (x) => x.completed === 1,
    );
    await until(
      'welcome',
      () => report(welcome),
      (x) => x.completed === 1,
    );
    expect((await must(s, 'GET', `/v1/customers/${soon}`)).tags).toContain('birthday_soon');
    expect((await must(s, 'GET', `/v1/customers/${vip}`)).tags).toContain('vip_welcomed');
    expect((await report(birthdays)).entered).toBe(1);
  });

  it('4. A/B split with per-variant goal rates; the holdout is stable and receives nothing', async () => {
    const people: string[] = [];
    for (let i = 0; i < 24; i++) {
      const id = await person();
      people.push(id);
      await must(s, 'PUT', `/v1/customers/${id}/tags/ab_fixture`);
    }
    const segment = await must(
      s,
      'POST',
      '/v1/segments',
      { name: `ab ${process.pid}`, rule: { tag: 'ab_fixture' } },
      [201],
    );
    const id = await activeJourney({
      name: '满减 vs 折扣券',
      trigger: { broadcast: { segment: segment.id, at: new Date(Date.now() - 1000).toISOString() } },
      steps: [
        {
          id: 'ab',
          split: {
            variants: [
              { name: 'A', weight: 50, steps: [{ id: 'tagA', add_tag: 'ab_got_A' }] },
              { name: 'B', weight: 50, steps: [{ id: 'tagB', add_tag: 'ab_got_B' }] },
            ],
          },
        },
      ],
      goal: { ordered: { sku: 'CHIPS', within_days: 14 } },
      holdout_percent: 25,
    });
    const first = await until(
      'broadcast done',
      () => report(id),
      (x) => x.entered === 24 && x.active === 0,
    );
    const held = people.filter((p) => inHoldout(id, p, 25));
    expect(first.holdout).toBe(held.length);
    expect(held.length).toBeGreaterThan(0);
    const tags = new Map<string, string[]>();
    for (const p of people) tags.set(p, (await must(s, 'GET', `/v1/customers/${p}`)).tags);
    const inA = people.filter((p) => tags.get(p)!.includes('ab_got_A'));
    const inB = people.filter((p) => tags.get(p)!.includes('ab_got_B'));
    // the holdout got nothing; everyone else exactly one variant
    expect(people.filter((p) => !inA.includes(p) && !inB.includes(p)).sort()).toEqual([...held].sort());
    expect(inA.filter((p) => inB.includes(p))).toEqual([]);
    // A converts whole, B one person, the holdout one person
    for (const p of [...inA, inB[0]!, held[0]!]) await posSale(p, 'CHIPS');
    const r = await report(id);
    expect(r.variants).toEqual([
      { name: 'A', customers: inA.length, converted: inA.length, rate: 1 },
      { name: 'B', customers: inB.length, converted: 1, rate: 1 / inB.length },
    ]);
    const treated = inA.length + inB.length;
    expect(r.goal.treated).toEqual({ customers: treated, converted: inA.length + 1, rate: (inA.length + 1) / treated });
    expect(r.goal.holdout).toEqual({ customers: held.length, converted: 1, rate: 1 / held.length });
    expect(r.goal.uplift).toBeCloseTo((inA.length + 1) / treated - 1 / held.length, 10);
    expect(r.goal.uplift_ci95[0]).toBeLessThan(r.goal.uplift);
    expect(r.goal.uplift_ci95[1]).toBeGreaterThan(r.goal.uplift);
    expect(r.goal.incremental_net_sales).toBe(
      Math.round(((999 * (inA.length + 1)) / treated) * treated - (999 / held.length) * treated),
    );
  });
});

describe('erasure', () => {
  it('erased people leave every journey', async () => {
    const who = await person();
    const id = await activeJourney({
      name: 'erasure',
      trigger: { event: { type: 'erase_fixture' } },
      steps: [
        { id: 'wait', wait: { duration: 'PT30S' } },
        { id: 'tag', add_tag: 'never' },
      ],
    });
    await event(who, 'erase_fixture', {});
    await until(
      'entered',
      () => report(id),
      (x) => x.active === 1,
    );
    await must(s, 'DELETE', `/v1/customers/${who}`, undefined, [202]);
    const r = await until(
      'left',
      () => report(id),
      (x) => x.exited === 1,
    );
    expect([r.entered, r.active, step(r, 'tag')!.done]).toEqual([1, 0, 0]);
  });
});

describe('pausing', () => {
  it('stops sends at once: queued messages are cancelled and no further step runs', async () => {
    const a = await person();
    const b = await person();
    await consent(a);
    await consent(b);
    // a queued message that has not gone out: quiet hours all day long
    await must(s, 'PUT', '/v1/settings/messaging', {
      quiet_hours: { start: '00:00', end: '23:59' },
      frequency_cap: null,
    });
    const id = await activeJourney({
      name: 'pause me',
      trigger: { event: { type: 'pause_fixture' } },
      steps: [
        { id: 'hello', send_message: { channel: 'sms', text: 'hello' } },
        { id: 'wait', wait: { duration: 'PT3S' } },
        { id: 'again', send_message: { channel: 'sms', text: 'again' } },
      ],
    });
    await event(a, 'pause_fixture', {});
    await event(b, 'pause_fixture', {});
    await until(
      'both greeted',
      () => report(id),
      (x) => step(x, 'hello')!.done === 2,
    );
    expect((await messagesOf(id)).map((m) => m.status)).toEqual(['queued', 'queued']);
    await must(s, 'POST', `/v1/journeys/${id}/pause`);
    expect((await messagesOf(id)).map((m) => [m.status, m.reason])).toEqual([
      ['suppressed', 'journey_paused'],
      ['suppressed', 'journey_paused'],
    ]);
    await new Promise((r) => setTimeout(r, 4000));
    const r = await report(id);
    expect(step(r, 'again')).toEqual({ id: 'again', done: 0, suppressed: {} });
    expect(r.active).toBe(2);
    await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: { max: 2, days: 7 } });
  }, 30_000);
});
