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
 * What may stay Latin in a Chinese page, and only this: ids and codes (ord_…, cus_…, SKU00042, PO-…,
 * coupon codes, masked identifiers), addresses, money and units, the language switch's "English",
 * an API key's name, and words Chinese retail writes in Latin (App, POS, 3C, RFM, OpenID, One ID…).
 * Elements marked translate="no" (identifiers an admin types into the API) are left out.
 */
const ALLOWED: RegExp[] = [
  /\bhttps?:\/\/\S+/g,
  /\S*\*\S*/g, // masked values: 139****6655, oU7x****aupn, u***@example.com
  /\b[a-z]{2,5}_[A-Za-z0-9_]*\d[A-Za-z0-9_]*\b/g, // ids: ord_demo7_0000001_0, cus_…, ful_…, ret_…
  /\bst_\w+/g, // an API key's prefix
  /\bSKU\d+\b/g,
  /\bPO-\d+\b/g,
  /\b[A-Z0-9]{8,}\b/g, // coupon and invite codes
  /\b(?:demo\d*|dev)-[\w-]+/g, // demo event and device ids
  /\b(?:st|dc)-[a-z]+\b/g,
  /\b[\w.+-]+@[\w.-]+\b/g,
  /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, // an API key's name (SANTONG_ADMIN_KEY)
  /\bOne ID\b/g,
  /\bcustomer\.(?!\w)/g, // the audit filter's example of an action prefix to type
  /\b(?:English|App|POS|RFM|CLV|API|ID|SKU|CSV|VIP|Pro|XL|OpenID|UnionID|Webhook|UTC|km|ml|kg)\b/g,
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

/** Requests of the page still under way (the page is read once there are none). */
function inFlight(page: Page): () => number {
  let n = 0;
  page.on('request', () => n++);
  page.on('requestfinished', () => n--);
  page.on('requestfailed', () => n--);
  return () => n;
}

/** Opens a console route and waits until nothing on it is loading any more. */
async function open(page: Page, hash: string, pending: () => number) {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 30_000; waited += 200) {
    await page.waitForTimeout(200);
    const loading = await page.evaluate<number>("document.querySelectorAll('.status-loading').length");
    quiet = pending() === 0 && loading === 0 ? quiet + 1 : 0;
  }
}

/** The page's visible text, without the elements marked translate="no". */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const hidden = [...document.querySelectorAll('[translate="no"]')];
    const before = hidden.map((el) => el.style.display);
    for (const el of hidden) el.style.display = 'none';
    const text = document.body.innerText;
    hidden.forEach((el, i) => (el.style.display = before[i]));
    return text;
  })()`);
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
    const pending = inFlight(page);
    const found: Record<string, string[]> = {};
    for (const width of [1440, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, hash] of routes) {
        await open(page, hash, pending);
        await page.screenshot({ path: path.join(SHOTS, `santong-zh-${name}-${width}.png`), fullPage: true });
        const words = strayWords(await visibleText(page));
        if (words.length) found[`${name}@${width}`] = words;
        // Nothing wider than the window: no page scrolls sideways (tables scroll inside their own frame).
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        if (overflow > 0) found[`${name}@${width}`] = [...(found[`${name}@${width}`] ?? []), `overflow ${overflow}px`];
      }
    }
    expect(found).toEqual({});
    expect(ui.pageErrors).toEqual([]);
  });
});
