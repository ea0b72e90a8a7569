import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { PUBLIC_PER_MINUTE } from './routes';

let s: TestServer;
const BUYER = { type: 'phone', value: '+8613800138111' };
const OTHER = { type: 'phone', value: '+8613800138222' };
let orderId: string;
let app: string;

/** A no-key GET of the page, as a phone would send it. */
const page = (path: string, headers: Record<string, string> = {}) =>
  fetch(s.url + path, { headers: { accept: 'text/html', ...headers } });

beforeAll(async () => {
  s = await startTestServer();
  await setupGoods(s, { near: { MILK: 5 }, mid: { MILK: 2 } });
  await must(s, 'POST', '/v1/products', {
    sku: 'TEA',
    name: '西湖龙井 <b>Longjing</b>',
    category: 'drinks',
    list_price: 12800,
    channels: ['pos', 'app'],
    attributes: {
      images: ['https://img.example.com/tea-1.jpg', 'javascript:alert(1)'],
      video: 'https://v.example.com/tea',
    },
  });
  // 7 on the shelf, 2 of them sold to the buyer below: 5 left
  await must(s, 'PUT', '/v1/stock/near/TEA', { on_hand: 7, safety_stock: 0 });
  await must(s, 'PUT', '/v1/stock/mid/TEA', { on_hand: 3, safety_stock: 0 });
  const o = await must(s, 'POST', '/v1/orders', {
    channel: 'pos',
    customer: BUYER,
    lines: [
      { sku: 'MILK', qty: 1 },
      { sku: 'TEA', qty: 2 },
    ],
    fulfillment: { type: 'in_store', location_id: 'near' },
  });
  orderId = o.id;
  await must(s, 'POST', '/v1/identify', { identifiers: [OTHER], channel: 'app' });
  app = await s.keyFor('integration', { channel: 'app' });
}, 120_000);
afterAll(async () => s?.close());

describe('the shelf-QR page, without a key', () => {
  it('shows name, images, the one price, stock here and nearby, the order links and the video (zh-CN by default)', async () => {
    const r = await page('/p/TEA?store=near');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    const html = await r.text();
    expect(html).toContain('西湖龙井 &lt;b&gt;Longjing&lt;/b&gt;'); // escaped, not markup
    expect(html).not.toContain('<b>Longjing');
    expect(html).toContain('¥128.00');
    expect(html).toContain('Near store 库存');
    expect(html).toContain('有货 5 件');
    expect(html).toMatch(/Mid store[\s\S]*有货 3 件/);
    expect(html).toContain('https://img.example.com/tea-1.jpg');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('href="https://v.example.com/tea"');
    expect(html).toContain('/shop?sku=TEA&amp;store=near&amp;fulfillment=delivery');
    expect(html).toContain('fulfillment=pickup');
    expect(html).toContain('还没有评价');
  });

  it('speaks English by ?lang=en or the browser language, and the other language is one tap away', async () => {
    const en = await (await page('/p/TEA?store=near&lang=en')).text();
    expect(en).toContain('Deliver to me');
    expect(en).toContain('Reserve for pickup');
    expect(en).toContain('5 in stock');
    expect(en).toContain('href="/p/TEA?store=near&amp;lang=zh-CN"');
    const browser = await (await page('/p/TEA?store=near', { 'accept-language': 'en-GB,en;q=0.9' })).text();
    expect(browser).toContain('Stock at Near store');
  });

  it('takes the parameters WeChat adds to a shared link; an unknown SKU is a 404 page', async () => {
    expect((await page('/p/TEA?store=near&from=singlemessage&isappinstalled=0')).status).toBe(200);
    const missing = await page('/p/NOPE?store=near');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('没有找到这件商品');
  });

  it('records each scan as an anonymous qr_scanned event at the store, linked to the person who signs in', async () => {
    const first = await page('/p/MILK?store=mid');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^santong_vid=v-[A-Za-z0-9_-]+; Path=\/; Max-Age=\d+; SameSite=Lax/);
    const visitor = /santong_vid=([^;]+)/.exec(cookie)![1];
    // a second scan with the cookie: same visitor, no new cookie; an unchanged page revalidates to 304
    const again = await page('/p/MILK?store=mid', { cookie: `santong_vid=${visitor}` });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(again.headers.get('cache-control')).toBe('no-cache');
    const etag = again.headers.get('etag')!;
    const revalidated = await page('/p/MILK?store=mid', { cookie: `santong_vid=${visitor}`, 'if-none-match': etag });
    expect(revalidated.status).toBe(304);

    const db = s.santong.ctx.database.db;
    const scans = await sql<{ customer_id: string; location_id: string; properties: { sku: string } }>`
      SELECT customer_id, location_id, properties FROM customer_events
      WHERE type = 'qr_scanned' AND properties ->> 'sku' = 'MILK'`.execute(db);
    expect(scans.rows).toHaveLength(3);
    expect(scans.rows.every((e) => e.location_id === 'mid')).toBe(true);
    expect(new Set(scans.rows.map((e) => e.customer_id)).size).toBe(1);

    const signedIn = await must(s, 'POST', '/v1/identify', {
      identifiers: [{ type: 'phone', value: '+8613800138333' }],
      channel: 'web',
      anonymous_id: visitor,
    });
    const root = await sql<{ root: string }>`
      SELECT coalesce(root_id, id) AS root FROM customers WHERE id = ${scans.rows[0].customer_id}`.execute(db);
    expect(root.rows[0].root).toBe(signedIn.customer_id);
  });
});

describe('where the page’s order links lead', () => {
  it('is a setting admins change (audited), refused unless a safe link naming {sku}, and null goes back to the default', async () => {
    expect(await must(s, 'GET', '/v1/settings/shelf-page')).toEqual({
      order_url: '/shop?sku={sku}&store={store}&fulfillment={fulfillment}',
      is_default: true,
    });
    for (const bad of [
      'javascript:alert(1)//{sku}',
      '//evil.example.com/?sku={sku}',
      '/shop?store={store}',
      '/a b?{sku}',
    ])
      expect((await s.api('PUT', '/v1/settings/shelf-page', { order_url: bad })).body.error).toMatchObject({
        code: 'invalid_order_url',
        field: 'order_url',
      });
    const marketer = await s.keyFor('marketer');
    const url = 'https://m.example.com/item?sku={sku}&store={store}&mode={fulfillment}';
    expect((await s.api('PUT', '/v1/settings/shelf-page', { order_url: url }, { key: marketer })).status).toBe(403);
    expect(await must(s, 'PUT', '/v1/settings/shelf-page', { order_url: url })).toEqual({
      order_url: url,
      is_default: false,
    });
    const html = await (await page('/p/TEA?store=near')).text();
    expect(html).toContain('href="https://m.example.com/item?sku=TEA&amp;store=near&amp;mode=delivery"');
    expect(html).toContain('href="https://m.example.com/item?sku=TEA&amp;store=near&amp;mode=pickup"');
    const audit = await sql<{
      action: string;
    }>`SELECT action FROM audit_log WHERE action = 'settings.shelf_page'`.execute(s.santong.ctx.database.db);
    expect(audit.rows).toHaveLength(1);
    expect((await must(s, 'PUT', '/v1/settings/shelf-page', { order_url: null })).is_default).toBe(true);
    expect(await (await page('/p/TEA?store=near')).text()).toContain(
      'href="/shop?sku=TEA&amp;store=near&amp;fulfillment=pickup"',
    );
  });
});

describe('reviews', () => {
  const review = (body: Record<string, unknown>, key: string | null = app) =>
    s.api(
      'POST',
      '/v1/products/TEA/reviews',
      { customer: BUYER, order_id: orderId, rating: 5, text: '香气很足', ...body },
      { key },
    );

  it('only the buyer of the SKU on that order may review it, once per order line', async () => {
    expect((await review({ customer: OTHER })).body.error).toMatchObject({ code: 'not_a_buyer', field: 'order_id' });
    expect((await review({ order_id: 'ord_nope' })).body.error.code).toBe('not_a_buyer');
    const bread = await s.api(
      'POST',
      '/v1/products/CHIPS/reviews',
      { customer: BUYER, order_id: orderId, rating: 4, text: 'ok' },
      { key: app },
    );
    expect(bread.body.error.code).toBe('not_a_buyer'); // on the order, but not this SKU
    expect((await review({ customer: { type: 'phone', value: '+8613800138999' } })).body.error.code).toBe(
      'unknown_customer',
    );

    const r = await review({});
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sku: 'TEA', order_id: orderId, rating: 5, status: 'pending' });
    const twice = await review({ rating: 1, text: '再来一次' });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'review_exists', field: 'order_id' });
    // the milk on the same order is another line
    const milk = await s.api(
      'POST',
      '/v1/products/MILK/reviews',
      { customer: BUYER, order_id: orderId, rating: 3, text: '一般' },
      { key: app },
    );
    expect(milk.status).toBe(201);
  });

  it('refuses bad input naming the field: rating out of range, contact data in the text, an unknown product', async () => {
    const rating = await review({ rating: 6 });
    expect(rating.status).toBe(400);
    expect(rating.body.error.field).toBe('rating');
    const phone = await review({ text: '有问题请打 13912345678' });
    expect(phone.status).toBe(422);
    expect(phone.body.error).toMatchObject({ code: 'contact_data_in_free_text', field: 'text' });
    const none = await s.api(
      'POST',
      '/v1/products/NOPE/reviews',
      { customer: BUYER, order_id: orderId, rating: 5, text: 'x' },
      { key: app },
    );
    expect(none.status).toBe(404);
    expect(
      await s.api(
        'POST',
        '/v1/products/TEA/reviews',
        { customer: BUYER, order_id: orderId, rating: 5, text: 'x' },
        { key: null },
      ),
    ).toMatchObject({ status: 401 });
  });

  it('shows a review publicly only once a moderator publishes it', async () => {
    const before = await s.api('GET', '/v1/products/TEA/reviews', undefined, { key: null });
    expect(before.body).toMatchObject({ count: 0, average: null, items: [] });

    const queue = await must(s, 'GET', '/v1/reviews?status=pending');
    const tea = queue.items.find((x: { sku: string }) => x.sku === 'TEA');
    expect(tea).toMatchObject({ product_name: '西湖龙井 <b>Longjing</b>', rating: 5, text: '香气很足' });
    const milk = queue.items.find((x: { sku: string }) => x.sku === 'MILK');
    await must(s, 'PATCH', `/v1/reviews/${tea.id}`, { status: 'published' });
    await must(s, 'PATCH', `/v1/reviews/${milk.id}`, { status: 'rejected' });
    expect((await must(s, 'GET', '/v1/reviews?status=pending')).items).toEqual([]);
    expect((await s.api('PATCH', '/v1/reviews/rev_nope', { status: 'published' })).status).toBe(404);

    const after = await s.api('GET', '/v1/products/TEA/reviews', undefined, { key: null });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ sku: 'TEA', average: 5, count: 1, stars: { '5': 1, '1': 0 } });
    expect(after.body.items[0]).toMatchObject({ rating: 5, text: '香气很足' });
    expect(after.body.items[0].customer_id).toBeUndefined();
    expect((await s.api('GET', '/v1/products/MILK/reviews', undefined, { key: null })).body.count).toBe(0);

    const html = await (await page('/p/TEA?store=near')).text();
    expect(html).toContain('香气很足');
    expect(html).toContain('1 条评价');
    const audit = await must(s, 'GET', `/v1/audit?subject=${tea.id}`);
    expect(audit.items.map((a: { action: string }) => a.action)).toContain('review.published');
  });

  it('the public summary is cacheable: an ETag, max-age, and 304 when the client holds it', async () => {
    const r = await s.api('GET', '/v1/products/TEA/reviews', undefined, { key: null });
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    const etag = r.headers.get('etag')!;
    const held = await s.api('GET', '/v1/products/TEA/reviews', undefined, {
      key: null,
      headers: { 'if-none-match': etag },
    });
    expect(held.status).toBe(304);
  });

  it("an erased person's reviews are deleted", async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'pos',
      customer: OTHER,
      lines: [{ sku: 'CHIPS', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: 'mid' },
    });
    await must(s, 'POST', '/v1/products/CHIPS/reviews', { customer: OTHER, order_id: o.id, rating: 2, text: '太咸' });
    await must(s, 'DELETE', `/v1/customers/${o.customer_id}`, undefined, [200, 202, 204]);
    const left = await s.santong.ctx.database.db
      .selectFrom('product_reviews')
      .select('id')
      .where('sku', '=', 'CHIPS')
      .execute();
    expect(left).toEqual([]);
  });
});

describe('rate limits on the public endpoints', () => {
  it('answers 429 rate_limited with Retry-After once an address exceeds its minute', async () => {
    // Twice the limit and one more: even if a minute boundary falls inside the burst, one window overflows.
    const statuses = await Promise.all(
      Array.from({ length: 2 * PUBLIC_PER_MINUTE + 1 }, () =>
        s.api('GET', '/v1/products/TEA/reviews', undefined, { key: null }),
      ),
    );
    const limited = statuses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body.error.code).toBe('rate_limited');
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
