import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, type ConsoleUnderTest } from './console';

/**
 * Every page of the console in Chinese, as a store manager on a desktop (1440 px) and on a store
 * tablet (1024 px) sees it, over the small demo retailer: one screenshot per page and width in the
 * artifacts (SHOTS), and no English UI words or raw codes in the page's text.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

/**
 * What may stay Latin in a Chinese page, and only this: ids (ord_…, cus_…, SKU00042, PO-…), money
 * and units, and a few words that are Chinese retail's own (brands, sizes, 3C, RFM, CLV, API).
 */
const ALLOWED: RegExp[] = [
  /\b[a-z]{2,5}_[A-Za-z0-9_]*\d[A-Za-z0-9_]*\b/g, // ids: ord_demo7_0000001_0, cus_…, ful_…, ret_…
  /\bSKU\d+\b/g,
  /\bPO-\d+\b/g,
  /\bdemo\d*-[\w-]+\b/g, // demo event ids
  /\b(?:st|dc)-[a-z]+\b/g, // location ids where a form needs them (selects show names)
  /\b[\w.+-]+@[\w.-]+\b/g, // e-mail addresses (masked or not)
  /\b(?:km|ml|kg|g|RFM|CLV|API|ID|SKU|CSV|JSON|VIP|Pro|XL|OK|PDF|Webhook|HTTP|HTTPS|URL|UTC|POS|WeChat)\b/g,
  /\b3C\b/g,
];
/** Latin words of three letters or more left after the allowed ones: English UI words or raw codes. */
function strayWords(text: string): string[] {
  let rest = text;
  for (const re of ALLOWED) rest = rest.replace(re, ' ');
  return [...new Set(rest.match(/[A-Za-z][A-Za-z_]{2,}/g) ?? [])].sort();
}

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('zh-sweep');
});
afterAll(async () => ui?.close());

/** Opens a console route and waits until nothing on it is loading any more. */
async function open(page: Page, hash: string) {
  await page.evaluate((h) => (window.location.hash = h), hash);
  await page.waitForTimeout(300);
  await page.waitForFunction(() => document.querySelectorAll('.status-loading').length === 0, null, {
    timeout: 30_000,
  });
  await page.waitForTimeout(400);
}

describe('the console in Chinese, page by page', () => {
  it('shows no English words or raw codes on any page, at 1440 and at 1024 px', async () => {
    const online = (await ui.ok('GET', '/v1/orders?channel=app&limit=20')).items;
    const order = online.find((o: any) => o.fulfillment_type === 'delivery') ?? online[0];
    const customer = order.customer_id as string;
    const sku = (await ui.ok('GET', '/v1/products?limit=1')).items[0].sku as string;
    const routes: [string, string][] = [
      ['dashboard', '#/dashboard'],
      ['customers', '#/customers'],
      ['customer-profile', `#/customers/${customer}`],
      ['orders', '#/orders'],
      ['order-detail', `#/orders/${order.id}`],
      ['store-tasks', '#/store/st-renmin'],
      ['till', '#/till'],
      ['inventory', '#/inventory'],
      ['stock-detail', `#/inventory/${sku}`],
      ['stores', '#/stores'],
      ['store-scorecard', '#/stores/st-renmin'],
      ['settlements', '#/settlements'],
      ['loyalty-coupons', '#/loyalty/coupons'],
      ['loyalty-tiers', '#/loyalty/tiers'],
      ['loyalty-rules', '#/loyalty/rules'],
      ['marketing-segments', '#/marketing/segments'],
      ['marketing-tags', '#/marketing/tags'],
      ['marketing-rfm', '#/marketing/rfm'],
      ['audit', '#/audit'],
      ['security', '#/security'],
      ['settings', '#/settings'],
    ];
    const page = await ui.signedIn(ui.server.adminKey);
    const found: Record<string, string[]> = {};
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, hash] of routes) {
        await open(page, hash);
        await page.screenshot({ path: path.join(SHOTS, `santong-zh-${name}-${width}.png`), fullPage: true });
        const words = strayWords(await page.evaluate(() => document.body.innerText));
        if (words.length) found[`${name}@${width}`] = words;
        // Nothing wider than the window: no page scrolls sideways (tables scroll inside their own frame).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) found[`${name}@${width}`] = [...(found[`${name}@${width}`] ?? []), `overflow ${overflow}px`];
      }
    }
    expect(found).toEqual({});
    expect(ui.pageErrors).toEqual([]);
  });
});
