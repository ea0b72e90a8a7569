import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * The shelf-QR product page and its reviews in a real (headless) Chromium over the small demo
 * retailer: a phone (390 px) opens /p/<sku>?store=<store> without a key in Chinese and English; a
 * buyer posts a review through the app's key; a moderator publishes it in the console; the page
 * shows it; the admin points its order links at the shop in the console. The product's image comes from a small local image host (a stand-in for the retailer's CDN).
 */

let ui: ConsoleUnderTest;
let cdn: http.Server;
let cdnUrl: string;
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><rect width="600" height="600" fill="#e8f4e8"/>
<circle cx="300" cy="300" r="180" fill="#7cb342"/><text x="300" y="320" font-size="64" text-anchor="middle" fill="#fff">TEA</text></svg>`;

beforeAll(async () => {
  cdn = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG));
  await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
  cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  ui = await launchConsole('shelf-qr');
}, 600_000); // the demo seed on a loaded machine
afterAll(async () => {
  await ui?.close();
  cdn?.close();
});

describe('the shelf-QR page', () => {
  it('shows a product to a phone without a key, takes a buyer’s review, and shows it once published', async () => {
    const store = (await ui.ok('GET', '/v1/locations')).items.find((l: any) => l.type === 'store');
    await ui.ok('POST', '/v1/products', {
      sku: 'QR-TEA',
      name: '西湖龙井 明前特级 250g Longjing tea 250g',
      category: 'drinks',
      list_price: 16800,
      channels: ['pos', 'app'],
      attributes: { images: [`${cdnUrl}/tea.svg`], video: 'https://live.example.com/replay/longjing' },
    });
    await ui.ok('PUT', `/v1/stock/${store.id}/QR-TEA`, { on_hand: 12, safety_stock: 0 }, 200);
    const order = await ui.ok('POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: '+8613700137000' },
      lines: [{ sku: 'QR-TEA', qty: 1 }],
      fulfillment: { type: 'in_store', location_id: store.id },
    });

    // A phone scans the shelf: Chinese by default, no key, no sign-in.
    const phone = await ui.context.newPage();
    phone.on('pageerror', (err) => ui.pageErrors.push(err.message));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.setExtraHTTPHeaders({ 'accept-language': 'zh-CN,zh;q=0.9' }); // a phone in China
    const answer = await phone.goto(`${ui.server.url}/p/QR-TEA?store=${store.id}`);
    expect(answer!.status()).toBe(200);
    expect(await text(phone.locator('h1'))).toBe('西湖龙井 明前特级 250g Longjing tea 250g');
    expect(await text(phone.locator('.price'))).toBe(yuan(16800));
    expect(await text(phone.locator('main'))).toContain('有货 11 件');
    expect(await text(phone.locator('.deliver'))).toBe('送货上门');
    expect(await text(phone.locator('.pickup'))).toBe('预约到店自提');
    expect(await text(phone.locator('#reviews'))).toContain('还没有评价');
    expect(await phone.evaluate("document.querySelector('.gallery img').naturalWidth")).toBe(600);
    // fits the phone: nothing wider than the screen
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // The buyer reviews it in the app; it waits for moderation.
    const app = await ui.server.keyFor('integration', { channel: 'app' });
    const review = await ui.ok(
      'POST',
      '/v1/products/QR-TEA/reviews',
      {
        customer: { type: 'phone', value: '+8613700137000' },
        order_id: order.id,
        rating: 5,
        text: '豆香清新，回甘明显，送人很体面',
      },
      201,
      app,
    );
    await phone.reload();
    expect(await text(phone.locator('#reviews'))).toContain('还没有评价');

    // A moderator publishes it in the console.
    const moderator = await ui.signedIn(ui.server.adminKey);
    await moderator.getByTestId('nav-reviews').click();
    expect(await text(moderator.locator('h1').first())).toBe('商品评价审核');
    const row = moderator.getByTestId(`review-${review.id}`);
    expect(await text(row)).toContain('西湖龙井'); // the Chinese part of the bilingual name
    expect(await text(row)).toContain('豆香清新');
    await moderator.screenshot({ path: path.join(SHOTS, 'qr-moderation-zh.png'), fullPage: true });
    await moderator.getByTestId(`review-publish-${review.id}`).click();
    await moderator.getByTestId('reviews-notice').waitFor();
    await expect.poll(() => row.count()).toBe(0);
    // The published tab lists the newest first: the review just published is on top.
    await moderator.getByTestId('tab-published').click();
    await moderator.getByTestId(`review-${review.id}`).waitFor();

    // The page shows it: average, stars, the text.
    await phone.reload();
    const reviews = await text(phone.locator('#reviews'));
    expect(reviews).toContain('5.0');
    expect(reviews).toContain('1 条评价');
    expect(reviews).toContain('豆香清新，回甘明显，送人很体面');
    await phone.screenshot({ path: path.join(SHOTS, 'qr-page-zh-390.png'), fullPage: true });

    // The admin points the order links at the retailer's mini-program shop, in the console.
    const link = 'https://m.example.com/item?sku={sku}&store={store}&mode={fulfillment}';
    await moderator.getByTestId('shelf-order-url').fill(link);
    await moderator.getByTestId('shelf-order-save').click();
    await moderator.getByTestId('shelf-order-saved').waitFor();
    expect(await ui.ok('GET', '/v1/settings/shelf-page')).toEqual({ order_url: link, is_default: false });
    await moderator.getByTestId('shelf-order-link').screenshot({ path: path.join(SHOTS, 'qr-order-link-zh.png') });
    await phone.reload();
    expect(await phone.locator('.deliver').getAttribute('href')).toBe(
      `https://m.example.com/item?sku=QR-TEA&store=${store.id}&mode=delivery`,
    );
    expect(await phone.locator('.pickup').getAttribute('href')).toBe(
      `https://m.example.com/item?sku=QR-TEA&store=${store.id}&mode=pickup`,
    );

    // English, one tap away.
    await phone.getByText('English').click();
    await phone.waitForURL(/lang=en/);
    expect(await text(phone.locator('.deliver'))).toBe('Deliver to me');
    expect(await text(phone.locator('.pickup'))).toBe('Reserve for pickup');
    expect(await text(phone.locator('#reviews'))).toContain('1 review');
    expect(await text(phone.locator('main'))).toContain('11 in stock');
    await phone.screenshot({ path: path.join(SHOTS, 'qr-page-en-390.png'), fullPage: true });

    // Every visit was a scan at this store.
    const scans = await ui.server.santong.ctx.database.db
      .selectFrom('customer_events')
      .select(['location_id'])
      .where('type', '=', 'qr_scanned')
      .execute();
    expect(scans.length).toBeGreaterThanOrEqual(4);
    expect(scans.every((s) => s.location_id === store.id)).toBe(true);
    expect(ui.pageErrors).toEqual([]);
  });

  it('the demo retailer has published reviews on its popular products', async () => {
    const pending = await ui.ok('GET', '/v1/reviews?status=pending&limit=200');
    const published = await ui.ok('GET', '/v1/reviews?status=published&limit=200');
    expect(published.items.length).toBeGreaterThan(0);
    expect(pending.items.length).toBeGreaterThan(0);
    const sku = published.items[0].sku;
    const summary = await ui.server.api('GET', `/v1/products/${sku}/reviews`, undefined, { key: null });
    expect(summary.body.count).toBeGreaterThan(0);
    expect(summary.body.average).toBeGreaterThanOrEqual(1);
  });
});
