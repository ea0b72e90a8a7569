import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { must, setupGoods } from '../../../test/fixtures/goods';

/**
 * The to-store coupon (issue 15, flow 3) over HTTP on a real server: a product_viewed journey
 * picks the nearest open store within 3 km of the person that has the viewed SKU in stock, issues
 * a coupon usable only there and sends a message naming it; without such a store the person
 * exits with nothing issued (`no_store_nearby`). Where people are: their home_store trait.
 * The fixture's stores: near and mid are 2.3 km apart, far is 16 km from both.
 */

let s: TestServer;
let n = 0;
let journey: string;
let coupon: string;
const phone = () => `1391100${String(++n).padStart(4, '0')}`;

/** A person with a phone, SMS consent and a name, located at their home store (none: nowhere known). */
async function person(homeStore: string | null): Promise<{ id: string; name: string }> {
  const name = `顾客${++n}`;
  const id = (
    await must(s, 'POST', '/v1/identify', {
      channel: 'app',
      identifiers: [{ type: 'phone', value: phone() }],
      traits: { name, ...(homeStore ? { home_store: homeStore } : {}) },
    })
  ).customer_id as string;
  await must(s, 'PUT', `/v1/customers/${id}/consents/marketing_sms`, { granted: true, channel: 'app', source: 'form' });
  return { id, name };
}
const viewed = (customerId: string, sku: string, type = 'product_viewed') =>
  must(s, 'POST', '/v1/events', {
    events: [
      {
        event_id: `to-store-${process.pid}-${++n}`,
        type,
        occurred_at: new Date().toISOString(),
        channel: 'app',
        customer_id: customerId,
        properties: { sku },
      },
    ],
  });
async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
interface Outcome {
  coupons: { code: string; template: { id: string; locations: string[] | null; skus: string[] | null } }[];
  messages: { text: string; status: string }[];
}
let entered = 0;
/** Waits until the person's enrolment (the journey's `entered`-th) has ended; what it left: coupons of the journey's template, messages. */
async function outcome(customerId: string): Promise<Outcome> {
  entered++;
  await until(
    `enrolment of ${customerId} ended`,
    () => must(s, 'GET', `/v1/journeys/${journey}/report`),
    (r: { entered: number; active: number }) => r.entered === entered && r.active === 0,
  );
  const coupons = (await must(s, 'GET', `/v1/coupons?customer_id=${customerId}`)).items.filter(
    (c: { template: { id: string } }) => c.template.id === coupon,
  );
  const messages = (await must(s, 'GET', `/v1/messages?journey_id=${journey}&customer_id=${customerId}`)).items;
  return { coupons, messages };
}
const wallet = async (customerId: string, location: string) =>
  (await must(s, 'GET', `/v1/customers/${customerId}/wallet?channel=pos&location_id=${location}`)).coupons.map(
    (c: { code: string }) => c.code,
  );

beforeAll(async () => {
  s = await startTestServer({ env: { SANTONG_JOURNEY_TICK_MS: '50' } });
  // TV at near and mid; CHIPS at mid and far (near has none on hand)
  await setupGoods(s, { near: { TV: 4, CHIPS: 0 }, mid: { TV: 9, CHIPS: 6 }, far: { CHIPS: 3 } });
  await must(s, 'PATCH', '/v1/locations/near', { name: '人民广场店' });
  await must(s, 'PATCH', '/v1/locations/mid', { name: '南京东路店' });
  await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: null });
  coupon = (
    await must(s, 'POST', '/v1/coupon-templates', {
      name: '到店立减20元',
      kind: 'amount_off',
      value: 2000,
      channels: ['online', 'pos'],
      valid_days_after_claim: 14,
    })
  ).id;
  const j = await must(
    s,
    'POST',
    '/v1/journeys',
    {
      name: '到店券',
      trigger: { event: { type: 'product_viewed' } },
      steps: [
        { id: 'store', pick_store: { km: 3, in_stock_sku: '$trigger.sku' } },
        { id: 'coupon', issue_coupon: { template_id: coupon, sku_from_trigger: true, at_picked_store: true } },
        {
          id: 'sms',
          send_message: { channel: 'sms', text: '{{name}}，您附近的{{store}}有货，凭券{{coupon}}到店立减。' },
        },
      ],
    },
    [201],
  );
  journey = j.id;
  await must(s, 'POST', `/v1/journeys/${journey}/activate`);
}, 120_000);
afterAll(async () => s?.close());

describe('to-store coupon', () => {
  it('issues a coupon usable only at the nearest store with the SKU, and a message naming that store', async () => {
    const a = await person('near');
    await viewed(a.id, 'TV');
    const got = await outcome(a.id);
    expect(got.coupons).toHaveLength(1);
    expect(got.coupons[0]!.template).toMatchObject({ locations: ['near'], skus: ['TV'] });
    const code = got.coupons[0]!.code;
    expect(await wallet(a.id, 'near')).toEqual([code]);
    expect(await wallet(a.id, 'mid')).toEqual([]);
    const at = await must(s, 'GET', `/v1/coupons/${code}?channel=pos&location_id=mid`);
    expect([at.usable, at.reason]).toEqual([false, 'wrong_location']);
    expect(got.messages).toHaveLength(1);
    expect(got.messages[0]!.text).toBe(`${a.name}，您附近的人民广场店有货，凭券${code}到店立减。`);
    const r = await must(s, 'GET', `/v1/journeys/${journey}/report`);
    expect(r.steps.find((x: { id: string }) => x.id === 'store')).toEqual({ id: 'store', done: 1, suppressed: {} });
  });

  it('skips a store in range without the SKU in stock for the next one that has it', async () => {
    const b = await person('near');
    await viewed(b.id, 'CHIPS');
    const got = await outcome(b.id);
    expect(got.coupons.map((c) => c.template.locations)).toEqual([['mid']]);
    expect(await wallet(b.id, 'mid')).toEqual([got.coupons[0]!.code]);
    expect(await wallet(b.id, 'near')).toEqual([]);
    expect(got.messages.map((m) => m.text.includes('南京东路店'))).toEqual([true]);
  });

  it('issues and sends nothing when no open store in range has it: the step is suppressed no_store_nearby', async () => {
    const far = await person('far'); // TV is 16 km away; far itself has none
    const nowhere = await person(null); // nobody knows where they are
    for (const who of [far, nowhere]) {
      await viewed(who.id, 'TV');
      const got = await outcome(who.id);
      expect([got.coupons, got.messages]).toEqual([[], []]);
    }
    // a closed store is not picked either
    await must(s, 'PATCH', '/v1/locations/mid', { status: 'closed' });
    const c = await person('near');
    await viewed(c.id, 'CHIPS');
    const got = await outcome(c.id);
    expect([got.coupons, got.messages]).toEqual([[], []]);
    const r = await must(s, 'GET', `/v1/journeys/${journey}/report`);
    expect(r.steps.find((x: { id: string }) => x.id === 'store')).toEqual({
      id: 'store',
      done: 2,
      suppressed: { no_store_nearby: 3 },
    });
    expect(r).toMatchObject({ entered: 5, completed: 2, exited: 3, coupons: { issued: 2 } });
  });

  it('refuses a store-only coupon at a store outside its template locations: the step is suppressed', async () => {
    const midOnly = (
      await must(s, 'POST', '/v1/coupon-templates', {
        name: '南京东路店专享',
        kind: 'amount_off',
        value: 500,
        channels: ['pos'],
        locations: ['mid'],
        valid_days_after_claim: 7,
      })
    ).id;
    const j = await must(
      s,
      'POST',
      '/v1/journeys',
      {
        name: '门店专享券',
        trigger: { event: { type: 'promo_viewed' } },
        steps: [
          { id: 'store', pick_store: { km: 3, in_stock_sku: '$trigger.sku' } },
          { id: 'coupon', issue_coupon: { template_id: midOnly, at_picked_store: true } },
        ],
      },
      [201],
    );
    await must(s, 'POST', `/v1/journeys/${j.id}/activate`);
    const d = await person('near');
    await viewed(d.id, 'TV', 'promo_viewed'); // near has TV: picked, but the template is for mid only
    const r = await until<{ entered: number; active: number; steps: unknown }>(
      'the promo enrolment ended',
      () => must(s, 'GET', `/v1/journeys/${j.id}/report`),
      (x: { entered: number; active: number }) => x.entered === 1 && x.active === 0,
    );
    expect(r.steps).toEqual([
      { id: 'store', done: 1, suppressed: {} },
      { id: 'coupon', done: 0, suppressed: { coupon_wrong_location: 1 } },
    ]);
    expect((await must(s, 'GET', `/v1/coupons?customer_id=${d.id}`)).items).toEqual([]);
  });

  it('422 names the path of a bad pick_store or an at_picked_store coupon without one before it', async () => {
    const base = { name: 'x', trigger: { event: { type: 'product_viewed' } } };
    const pick = { id: 'p', pick_store: { km: 3, in_stock_sku: '$trigger.sku' } };
    const atStore = { id: 'c', issue_coupon: { template_id: coupon, at_picked_store: true } };
    const cases: [unknown, string][] = [
      [{ ...base, steps: [{ id: 'p', pick_store: { km: 0, in_stock_sku: 'TV' } }] }, 'steps[0].pick_store.km'],
      [{ ...base, steps: [{ id: 'p', pick_store: { km: 3 } }] }, 'steps[0].pick_store.in_stock_sku'],
      [
        { ...base, steps: [{ id: 'p', pick_store: { km: 3, in_stock_sku: '$trigger.' } }] },
        'steps[0].pick_store.in_stock_sku',
      ],
      [{ ...base, trigger: { inactive: { days: 30 } }, steps: [pick] }, 'steps[0].pick_store.in_stock_sku'],
      [{ ...base, steps: [{ ...pick, pick_store: { ...pick.pick_store, miles: 2 } }] }, 'steps[0].pick_store.miles'],
      [{ ...base, steps: [atStore, pick] }, 'steps[0].issue_coupon.at_picked_store'],
      [
        {
          ...base,
          steps: [{ id: 'b', branch: { if: { created: { within_days: 30 } }, then: [pick], else: [] } }, atStore],
        },
        'steps[1].issue_coupon.at_picked_store',
      ],
      [
        { ...base, steps: [pick, { ...atStore, issue_coupon: { template_id: coupon, at_picked_store: 1 } }] },
        'steps[1].issue_coupon.at_picked_store',
      ],
    ];
    for (const [body, field] of cases) {
      const r = await s.api('POST', '/v1/journeys', body);
      expect([r.status, r.body.error?.field], JSON.stringify(body)).toEqual([422, field]);
    }
    const nested = await s.api('POST', '/v1/journeys', {
      ...base,
      steps: [pick, { id: 'b', branch: { if: { created: { within_days: 30 } }, then: [atStore], else: [] } }],
    });
    expect(nested.status).toBe(201);
  });
});
