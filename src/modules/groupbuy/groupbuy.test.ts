/**
 * Community group-buy over HTTP through the real server: a campaign's hours and limits (also under
 * concurrency, across two processes on PostgreSQL; given back by cancelled and expired orders), the
 * cutoff (unpaid orders cancelled) and its shipment as stock movements, the store's receipt, the
 * hand-over, no-show cancellation, the leader's commission and share page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { must, setupGoods, stockAt } from '../../../test/fixtures/goods';
import { startSecondProcess } from '../../../test/second-process';
import { startTestServer, type ApiResponse, type TestServer } from '../../../test/server';
import { expireDue } from '../orders/lifecycle';
import { cancelNoShows } from './pickups';
import { SHARE_PER_MINUTE } from './share-routes';

let s: TestServer;
let n = 0;
const HOUR = 3_600_000;
const phone = () => `1390001${String(++n).padStart(4, '0')}`;
const person = async () =>
  (await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: phone() }] }))
    .customer_id as string;

let leader: { id: string; location_id: string };

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { dc1: { MILK: 100, CHIPS: 50, TV: 5 }, near: { MILK: 3 } });
  leader = await must(s, 'POST', '/v1/group-buy/leaders', {
    customer_id: await person(),
    location_id: 'near',
    commission_percent: 10,
    display_name: '王姐',
  });
});
afterAll(async () => s?.close());

async function campaign(items: object[], o: { opensIn?: number; cutoffIn?: number; pickupIn?: number } = {}) {
  return must(s, 'POST', '/v1/group-buy/campaigns', {
    title: '周末团',
    items,
    opens_at: new Date(Date.now() + (o.opensIn ?? -HOUR)).toISOString(),
    cutoff_at: new Date(Date.now() + (o.cutoffIn ?? 24 * HOUR)).toISOString(),
    pickup_date: new Date(Date.now() + (o.pickupIn ?? 48 * HOUR)).toISOString().slice(0, 10),
    source_location_id: 'dc1',
  });
}

const order = (campaignId: string, customer: string, lines: { sku: string; qty: number }[], l = leader) => ({
  channel: 'group_buy',
  customer: { id: customer },
  lines,
  fulfillment: { type: 'pickup', location_id: l.location_id },
  group_buy: { campaign_id: campaignId, leader_id: l.id },
});

function tally(rs: ApiResponse[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status >= 400 ? `${r.status} ${r.body?.error?.code}` : String(r.status);
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

async function movements(sku: string, location: string) {
  return (await must(s, 'GET', `/v1/stock/movements?location_id=${location}&sku=${sku}`)).items as {
    delta: number;
    reason: string;
  }[];
}

describe('group-buy orders', () => {
  it('takes the channel price, picks up at the leader point, holds the units at the DC', async () => {
    const c = await campaign([{ sku: 'CHIPS', price: 599, per_customer_limit: 5 }]);
    expect(c.status).toBe('open');
    expect(c.share_links.map((l: { leader_id: string }) => l.leader_id)).toContain(leader.id);
    const before = await stockAt(s, 'CHIPS', 'dc1');
    const o = await must(s, 'POST', '/v1/orders', order(c.id, await person(), [{ sku: 'CHIPS', qty: 2 }]));
    expect(o).toMatchObject({
      channel: 'group_buy',
      fulfillment_type: 'pickup',
      location_id: 'near',
      status: 'pending_payment',
    });
    expect(o.lines[0]).toMatchObject({ unit_price: 599, amount: 1198 });
    expect(await stockAt(s, 'CHIPS', 'dc1')).toMatchObject({ on_hand: before.on_hand, reserved: before.reserved + 2 });
    // Paid: the units stay held at the DC until the cutoff shipment (no sale at the DC).
    await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'gb-pay-1' });
    expect(await stockAt(s, 'CHIPS', 'dc1')).toMatchObject({ on_hand: before.on_hand, reserved: before.reserved + 2 });
    // Cancelled before the cutoff: released at the DC, nothing restocked at the pickup point.
    await must(s, 'POST', `/v1/orders/${o.id}/cancel`, {});
    expect(await stockAt(s, 'CHIPS', 'dc1')).toMatchObject({ on_hand: before.on_hand, reserved: before.reserved });
    expect((await stockAt(s, 'CHIPS', 'near')).on_hand).toBe(0);
  });

  it('refuses orders before opens_at and after cutoff_at with 422 campaign_closed', async () => {
    const later = await campaign([{ sku: 'CHIPS', price: 599 }], { opensIn: HOUR });
    const r = await s.api('POST', '/v1/orders', order(later.id, await person(), [{ sku: 'CHIPS', qty: 1 }]));
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'campaign_closed', field: 'group_buy.campaign_id' });
    const shut = await campaign([{ sku: 'CHIPS', price: 599 }]);
    await must(s, 'POST', `/v1/group-buy/campaigns/${shut.id}/ship`);
    const r2 = await s.api('POST', '/v1/orders', order(shut.id, await person(), [{ sku: 'CHIPS', qty: 1 }]));
    expect(r2.status).toBe(422);
    expect(r2.body.error.code).toBe('campaign_closed');
  });

  it('refuses what the campaign does not sell, another point, coupons and points', async () => {
    const c = await campaign([{ sku: 'CHIPS', price: 599 }]);
    const who = await person();
    const bad = [
      [{ ...order(c.id, who, [{ sku: 'MILK', qty: 1 }]) }, 'lines[0].sku'],
      [
        { ...order(c.id, who, [{ sku: 'CHIPS', qty: 1 }]), fulfillment: { type: 'pickup', location_id: 'mid' } },
        'fulfillment.location_id',
      ],
      [{ ...order(c.id, who, [{ sku: 'CHIPS', qty: 1 }]), points: 100 }, 'points'],
      [{ ...order(c.id, who, [{ sku: 'CHIPS', qty: 1 }]), channel: 'app' }, 'group_buy'],
      [
        { ...order(c.id, who, [{ sku: 'CHIPS', qty: 1 }]), group_buy: { campaign_id: c.id, leader_id: 'nope' } },
        'group_buy.leader_id',
      ],
    ] as const;
    for (const [body, field] of bad) {
      const r = await s.api('POST', '/v1/orders', body);
      expect([r.status, r.body.error?.field]).toEqual([422, field]);
    }
  });

  it('holds the total and per-customer limits under concurrent orders, 409 naming the item', async () => {
    const c = await campaign([{ sku: 'MILK', price: 990, total_limit: 10, per_customer_limit: 2 }]);
    const people = await Promise.all(Array.from({ length: 12 }, () => person()));
    // 12 customers × 2 orders of 1, at once: each customer gets at most 2, and 10 in all.
    const rs = await Promise.all(
      people.flatMap((p) =>
        [0, 1, 2].map(() => s.api('POST', '/v1/orders', order(c.id, p, [{ sku: 'MILK', qty: 1 }]))),
      ),
    );
    const t = tally(rs);
    expect(t['201']).toBe(10);
    expect(t['201'] + (t['409 group_buy_sold_out'] ?? 0) + (t['409 group_buy_customer_limit'] ?? 0)).toBe(36);
    const refused = rs.find((r) => r.status === 409)!;
    expect(refused.body.error).toMatchObject({ field: 'lines[0]', sku: 'MILK' });
    const per = new Map<string, number>();
    for (const r of rs.filter((x) => x.status === 201))
      per.set(r.body.customer_id, (per.get(r.body.customer_id) ?? 0) + 1);
    expect(Math.max(...per.values())).toBeLessThanOrEqual(2);
    const view = await must(s, 'GET', `/v1/group-buy/campaigns/${c.id}`);
    expect(view.items[0]).toMatchObject({ sku: 'MILK', sold: 10, total_limit: 10 });
    expect(view.points).toEqual([expect.objectContaining({ location_id: 'near', orders: 10, units: 10, sales: 9900 })]);
    // Over the per-customer limit in one line: 409 before anything is claimed.
    const r = await s.api('POST', '/v1/orders', order(c.id, await person(), [{ sku: 'MILK', qty: 3 }]));
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('group_buy_customer_limit');
    for (const x of rs.filter((y) => y.status === 201)) await must(s, 'POST', `/v1/orders/${x.body.id}/cancel`, {});
  });

  it('gives back the units of an order cancelled or expired: the limits free up and still hold under concurrency', async () => {
    const c = await campaign([{ sku: 'MILK', price: 990, total_limit: 4, per_customer_limit: 2 }]);
    const sold = async () => (await must(s, 'GET', `/v1/group-buy/campaigns/${c.id}`)).items[0].sold as number;
    const [a, b, x, y] = await Promise.all(Array.from({ length: 4 }, () => person()));
    const milk = (qty: number) => [{ sku: 'MILK', qty }];
    // Paid, then cancelled: its two units are free again, for everyone and for its customer.
    const first = await must(s, 'POST', '/v1/orders', order(c.id, a, milk(2)));
    await must(s, 'POST', `/v1/orders/${first.id}/pay`, { payment_ref: `pay-${first.id}` });
    expect(await sold()).toBe(2);
    await must(s, 'POST', `/v1/orders/${first.id}/cancel`, {});
    expect(await sold()).toBe(0);
    // The same member twice at once for her two: exactly one is refused, naming the item.
    const twice = await Promise.all([0, 1].map(() => s.api('POST', '/v1/orders', order(c.id, a, milk(2)))));
    expect(tally(twice)).toEqual({ 201: 1, '409 group_buy_customer_limit': 1 });
    const kept = twice.find((r) => r.status === 201)!.body;
    await must(s, 'POST', `/v1/orders/${kept.id}/pay`, { payment_ref: `pay-${kept.id}` });
    // The last two units taken, then their order expires unpaid: free again.
    const last = await must(s, 'POST', '/v1/orders', order(c.id, b, milk(2)));
    expect(await sold()).toBe(4);
    const full = await s.api('POST', '/v1/orders', order(c.id, x, milk(1)));
    expect([full.status, full.body.error.code]).toEqual([409, 'group_buy_sold_out']);
    await expireDue(s.santong.ctx, new Date(Date.now() + 24 * HOUR));
    expect((await must(s, 'GET', `/v1/orders/${last.id}`)).status).toBe('expired');
    expect(await sold()).toBe(2);
    // Two members at once for those two units: exactly one gets them.
    const race = await Promise.all([x, y].map((p) => s.api('POST', '/v1/orders', order(c.id, p, milk(2)))));
    expect(tally(race)).toEqual({ 201: 1, '409 group_buy_sold_out': 1 });
    expect(await sold()).toBe(4);
    for (const id of [kept.id, race.find((r) => r.status === 201)!.body.id])
      await must(s, 'POST', `/v1/orders/${id}/cancel`, {});
    expect(await sold()).toBe(0);
  });

  it('an order paid while the cutoff runs is shipped, or cancelled with its payment refused: never paid and left behind', async () => {
    // Picked up another day than the hand-over tests' campaign: its orders stay off their pickup list.
    const c = await campaign([{ sku: 'CHIPS', price: 599 }], { pickupIn: 96 * HOUR });
    const before = await stockAt(s, 'CHIPS', 'dc1');
    const placed = await Promise.all(
      Array.from({ length: 6 }, async () =>
        must(s, 'POST', '/v1/orders', order(c.id, await person(), [{ sku: 'CHIPS', qty: 1 }])),
      ),
    );
    const [cut, ...pays] = await Promise.all([
      s.api('POST', `/v1/group-buy/campaigns/${c.id}/ship`),
      ...placed.map((o) => s.api('POST', `/v1/orders/${o.id}/pay`, { payment_ref: `race-${o.id}` })),
    ]);
    expect(cut.status).toBe(200);
    let paid = 0;
    for (const [i, r] of pays.entries()) {
      const now = (await must(s, 'GET', `/v1/orders/${placed[i].id}`)).status;
      if (r.status === 200) paid++;
      expect([r.status, r.body.error?.code, now]).toEqual(
        r.status === 200 ? [200, undefined, 'paid'] : [409, 'order_not_payable', 'cancelled'],
      );
    }
    const view = await must(s, 'GET', `/v1/group-buy/campaigns/${c.id}`);
    const shipped = view.points
      .flatMap((p: { shipment: { lines: { qty: number }[] } | null }) => p.shipment?.lines ?? [])
      .reduce((n: number, l: { qty: number }) => n + l.qty, 0);
    expect(shipped).toBe(paid);
    // Every paid unit left the DC; nothing stays held there for this campaign.
    expect(await stockAt(s, 'CHIPS', 'dc1')).toMatchObject({
      on_hand: before.on_hand - paid,
      reserved: before.reserved,
    });
  });

  it.skipIf(TEST_DB !== 'postgres')(
    'holds the total limit across two server processes on one PostgreSQL',
    async () => {
      const other = await startSecondProcess(s);
      try {
        const c = await campaign([{ sku: 'CHIPS', price: 500, total_limit: 15 }]);
        const people = await Promise.all(Array.from({ length: 40 }, () => person()));
        const rs = await Promise.all(
          people.map((p, i) =>
            (i % 2 ? s : other).api('POST', '/v1/orders', order(c.id, p, [{ sku: 'CHIPS', qty: 1 }])),
          ),
        );
        expect(tally(rs)).toEqual({ 201: 15, '409 group_buy_sold_out': 25 });
        expect((await must(s, 'GET', `/v1/group-buy/campaigns/${c.id}`)).items[0].sold).toBe(15);
        for (const x of rs.filter((y) => y.status === 201)) await must(s, 'POST', `/v1/orders/${x.body.id}/cancel`, {});
      } finally {
        await other.stop();
      }
    },
    120_000,
  );
});

describe('cutoff, shipment, receipt, hand-over', () => {
  let c: { id: string; pickup_date: string };
  let paid: { id: string; pickup_code: string; allocations: { fulfillment_id: string }[] }[];
  let unpaidId: string;

  beforeAll(async () => {
    c = await campaign([{ sku: 'TV', price: 299900 }]);
    const made = [];
    for (let i = 0; i < 3; i++)
      made.push(await must(s, 'POST', '/v1/orders', order(c.id, await person(), [{ sku: 'TV', qty: 1 }])));
    for (const o of made.slice(0, 2)) await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: `pay-${o.id}` });
    paid = made.slice(0, 2);
    unpaidId = made[2].id;
  });

  it('cancels the orders unpaid at the cutoff, ships one transfer per pickup point: DC on hand down, in transit', async () => {
    expect(await stockAt(s, 'TV', 'dc1')).toMatchObject({ on_hand: 5, reserved: 3 });
    const shipped = await must(s, 'POST', `/v1/group-buy/campaigns/${c.id}/ship`);
    expect(shipped.status).toBe('shipped');
    expect(shipped.points[0]).toMatchObject({ orders: 2, units: 2 });
    expect(shipped.points[0].shipment).toMatchObject({ received_at: null, lines: [{ sku: 'TV', qty: 2 }] });
    // The two paid units left the DC; the unpaid order was cancelled and its unit released there.
    expect(await stockAt(s, 'TV', 'dc1')).toMatchObject({ on_hand: 3, reserved: 0 });
    expect(await movements('TV', 'dc1')).toContainEqual(expect.objectContaining({ delta: -2, reason: 'transfer_out' }));
    expect((await must(s, 'GET', `/v1/orders/${unpaidId}`)).status).toBe('cancelled');
    // Paying it after the cutoff is refused: no shipment would take its unit to the pickup point.
    const late = await s.api('POST', `/v1/orders/${unpaidId}/pay`, { payment_ref: `pay-${unpaidId}` });
    expect([late.status, late.body.error.code]).toEqual([409, 'order_not_payable']);
    // Shipping again changes nothing.
    await must(s, 'POST', `/v1/group-buy/campaigns/${c.id}/ship`);
    expect(await stockAt(s, 'TV', 'dc1')).toMatchObject({ on_hand: 3, reserved: 0 });
  });

  it('the store receives it: units into its stock, held; the orders are ready with their codes', async () => {
    const staff = await s.keyFor('store_staff', { location_id: 'mid' });
    const other = await s.api(
      'POST',
      `/v1/group-buy/campaigns/${c.id}/receipts`,
      { location_id: 'near' },
      { key: staff },
    );
    expect(other.status).toBe(403);
    const own = await s.keyFor('store_staff', { location_id: 'near' });
    const r = await s.api('POST', `/v1/group-buy/campaigns/${c.id}/receipts`, { location_id: 'near' }, { key: own });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ location_id: 'near', orders: 2, lines: [{ sku: 'TV', qty: 2 }] });
    expect(await stockAt(s, 'TV', 'near')).toMatchObject({ on_hand: 2, reserved: 2 });
    expect(await movements('TV', 'near')).toContainEqual(expect.objectContaining({ delta: 2, reason: 'transfer_in' }));
    const again = await s.api('POST', `/v1/group-buy/campaigns/${c.id}/receipts`, { location_id: 'near' });
    expect([again.status, again.body.error.code]).toEqual([409, 'already_received']);
    for (const o of paid) expect((await must(s, 'GET', `/v1/orders/${o.id}`)).status).toBe('ready_for_pickup');
    const list = await s.api('GET', `/v1/group-buy/pickups?location_id=near&date=${c.pickup_date}`, undefined, {
      key: own,
    });
    expect(list.body.items.map((p: { order_id: string }) => p.order_id).sort()).toEqual(paid.map((o) => o.id).sort());
    expect(list.body.items[0]).toMatchObject({
      status: 'ready_for_pickup',
      lines: [{ sku: 'TV', product_name: 'TV', qty: 1 }],
    });
    const csv = await s.api('GET', `/v1/group-buy/pickups?location_id=near&date=${c.pickup_date}`, undefined, {
      headers: { accept: 'text/csv' },
    });
    expect(String(csv.body)).toContain(paid[0].id);
    const denied = await s.api('GET', `/v1/group-buy/pickups?location_id=mid`, undefined, { key: own });
    expect(denied.status).toBe(403);
  });

  it('collecting sells the held unit at the store; the leader earns commission on it', async () => {
    const [first] = paid;
    await must(s, 'POST', `/v1/fulfillments/${first.allocations[0].fulfillment_id}/collect`, {
      pickup_code: first.pickup_code,
    });
    expect((await must(s, 'GET', `/v1/orders/${first.id}`)).status).toBe('completed');
    expect(await stockAt(s, 'TV', 'near')).toMatchObject({ on_hand: 1, reserved: 1 });
    const period = new Date().toISOString().slice(0, 7);
    const stmt = await must(s, 'GET', `/v1/group-buy/leaders/${leader.id}/commission?period=${period}`);
    expect(stmt).toMatchObject({ orders: 1, net_sales: 299900, commission: 29990 });
    // A return reverses its share.
    await must(s, 'POST', `/v1/orders/${first.id}/returns`, {
      lines: [{ sku: 'TV', qty: 1 }],
      location_id: 'near',
      reason: 'damaged',
    });
    expect(await must(s, 'GET', `/v1/group-buy/leaders/${leader.id}/commission?period=${period}`)).toMatchObject({
      orders: 1,
      net_sales: 0,
      commission: 0,
    });
  });

  it('cancels and refunds an order not collected N days after its pickup day; its unit goes back to the store', async () => {
    const [, second] = paid;
    expect(await cancelNoShows(s.santong.ctx, new Date())).toBe(0);
    const later = new Date(Date.parse(c.pickup_date) + 5 * 24 * HOUR);
    expect(await cancelNoShows(s.santong.ctx, later)).toBe(1);
    const o = await must(s, 'GET', `/v1/orders/${second.id}`);
    expect(o).toMatchObject({ status: 'cancelled', totals: { refunded: 299900 } });
    // on hand 2 (one returned) , nothing reserved: the no-show's unit is sellable at the store again.
    expect(await stockAt(s, 'TV', 'near')).toMatchObject({ on_hand: 2, reserved: 0 });
  });
});

describe('leaders', () => {
  it('are created, read, changed; bad input names the field', async () => {
    const bad = await s.api('POST', '/v1/group-buy/leaders', {
      customer_id: 'nobody',
      location_id: 'near',
      commission_percent: 5,
      display_name: 'x',
    });
    expect([bad.status, bad.body.error.field]).toEqual([422, 'customer_id']);
    const l = await must(s, 'PATCH', `/v1/group-buy/leaders/${leader.id}`, { commission_percent: 12.5 });
    expect(l).toMatchObject({ commission_percent: 12.5, location_id: 'near' });
    const staff = await s.keyFor('store_staff', { location_id: 'mid' });
    expect((await s.api('GET', `/v1/group-buy/leaders/${leader.id}`, undefined, { key: staff })).status).toBe(404);
    expect((await s.api('GET', '/v1/group-buy/leaders', undefined, { key: staff })).body.items).toEqual([]);
  });
});

describe("a leader's share page, without a key", () => {
  /** A no-key GET of the page, as a phone in a WeChat group would send it. */
  const page = (path: string, headers: Record<string, string> = {}) =>
    fetch(s.url + path, { headers: { accept: 'text/html', ...headers } });

  it('shows the items at the group-buy price with sold/limit, the cutoff, the pickup day and point, and order links', async () => {
    const c = await campaign([
      { sku: 'MILK', price: 990, total_limit: 20, per_customer_limit: 2 },
      { sku: 'CHIPS', price: 599 },
    ]);
    const o = await must(s, 'POST', '/v1/orders', order(c.id, await person(), [{ sku: 'MILK', qty: 2 }]));
    const link = new URL(c.share_links.find((l: { leader_id: string }) => l.leader_id === leader.id).url);
    expect(link.pathname).toBe(`/gb/${c.id}`);
    const path = link.pathname + link.search;
    const r = await page(path);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    const html = await r.text();
    expect(html).toContain('<h1>周末团</h1>');
    expect(html).toContain('团长 王姐');
    expect(html).toMatch(/自提点<\/span><span>Near store</);
    expect(html).toContain(`<span>${c.pickup_date}</span>`);
    expect(html).toContain('¥9.90');
    expect(html).toContain('已团 2 件 · 限量 20 件 · 每人限 2 件');
    expect(html).toContain('¥5.99');
    expect(html).toContain('已团 0 件</div>');
    expect(html).toContain(`href="/shop?channel=group_buy&amp;campaign=${c.id}&amp;leader=${leader.id}&amp;sku=MILK"`);
    expect(html).not.toContain('<script');
    const en = await (await page(`${path}&lang=en`)).text();
    expect(en).toContain('Pickup point');
    expect(en).toContain('2 sold · 20 available · max 2 per member');
    // Cacheable: a client holding it gets 304.
    expect(r.headers.get('cache-control')).toBe('public, max-age=30');
    expect((await page(path, { 'if-none-match': r.headers.get('etag')! })).status).toBe(304);
    // After the cutoff: no order links, said so.
    await must(s, 'POST', `/v1/orders/${o.id}/cancel`, {});
    await must(s, 'POST', `/v1/group-buy/campaigns/${c.id}/ship`);
    const closed = await (await page(path)).text();
    expect(closed).toContain('已截单');
    expect(closed).not.toContain('class="buy"');
  });

  it('is 404 for an unknown campaign, no leader, or a leader whose point the campaign skips', async () => {
    const elsewhere = await must(s, 'POST', '/v1/group-buy/campaigns', {
      title: '中区团',
      items: [{ sku: 'CHIPS', price: 599 }],
      location_ids: ['mid'],
      opens_at: new Date(Date.now() - HOUR).toISOString(),
      cutoff_at: new Date(Date.now() + HOUR).toISOString(),
      pickup_date: new Date(Date.now() + 48 * HOUR).toISOString().slice(0, 10),
      source_location_id: 'dc1',
    });
    for (const path of [
      `/gb/nope?leader=${leader.id}`,
      `/gb/${elsewhere.id}`,
      `/gb/${elsewhere.id}?leader=${leader.id}`,
    ]) {
      const r = await page(path);
      expect([r.status, (await r.text()).includes('没有找到这个团购')]).toEqual([404, true]);
    }
  });

  it('answers 429 rate_limited once an address exceeds its minute', async () => {
    // Twice the limit and one more: even if a minute boundary falls inside the burst, one window overflows.
    const rs = await Promise.all(
      Array.from({ length: 2 * SHARE_PER_MINUTE + 1 }, () => s.api('GET', '/gb/nope', undefined, { key: null })),
    );
    const limited = rs.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body.error.code).toBe('rate_limited');
  });
});
