import path from 'node:path';
import type { Page, Request } from 'playwright-core';
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

/** Requests of the page still under way (the page is read once there are none). */
function inFlight(page: Page): () => number {
  // A set, not a counter: a request that began before this listener must not make the count negative.
  const open = new Set<Request>();
  page.on('request', (r) => open.add(r));
  page.on('requestfinished', (r) => open.delete(r));
  page.on('requestfailed', (r) => open.delete(r));
  return () => open.size;
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

/** The demo's ids a route needs: an online order, its customer, a product. */
interface Ids {
  order: string;
  customer: string;
  sku: string;
}
const ROUTES: [string, (ids: Ids) => string][] = [
  ['dashboard', () => '#/dashboard'],
  ['customers', () => '#/customers'],
  ['customer-profile', (ids) => `#/customers/${ids.customer}`],
  ['orders', () => '#/orders'],
  ['order-detail', (ids) => `#/orders/${ids.order}`],
  ['store-tasks', () => '#/store/st-renmin'],
  ['till', () => '#/till'],
  ['inventory', () => '#/inventory'],
  ['stock-detail', (ids) => `#/inventory/${ids.sku}`],
  ['stores', () => '#/stores'],
  ['store-scorecard', () => '#/stores/st-renmin'],
  ['store-stock', () => '#/stores/st-renmin/stock'],
  ['settlements', () => '#/settlements'],
  ['loyalty-coupons', () => '#/loyalty/coupons'],
  ['loyalty-tiers', () => '#/loyalty/tiers'],
  ['loyalty-rules', () => '#/loyalty/rules'],
  ['marketing-segments', () => '#/marketing/segments'],
  ['marketing-tags', () => '#/marketing/tags'],
  ['marketing-rfm', () => '#/marketing/rfm'],
  ['marketing-journeys', () => '#/marketing/journeys'],
  ['marketing-messages', () => '#/marketing/messages'],
  ['audit', () => '#/audit'],
  ['security', () => '#/security'],
  ['settings', () => '#/settings'],
];

let ui: ConsoleUnderTest;
let page: Page;
let pending: () => number;
let ids: Ids;
beforeAll(async () => {
  ui = await launchConsole('zh-sweep');
  const online = (await ui.ok('GET', '/v1/orders?channel=app&limit=20')).items;
  const order = online.find((o: any) => o.fulfillment_type === 'delivery') ?? online[0];
  ids = {
    order: order.id,
    customer: order.customer_id as string,
    sku: (await ui.ok('GET', '/v1/products?limit=1')).items[0].sku as string,
  };
  page = await ui.signedIn(ui.server.adminKey);
  pending = inFlight(page);
});
afterAll(async () => ui?.close());

// One test per page and width, so a slow page has its own time budget and a failure names its page.
describe.each([1440, 1024])('the console in Chinese at %i px', (width) => {
  beforeAll(async () => page.setViewportSize({ width, height: 900 }));
  it.each(ROUTES)('%s: no English words or raw codes, nothing wider than the window', async (name, route) => {
    await open(page, route(ids), pending);
    await page.screenshot({ path: path.join(SHOTS, `santong-zh-${name}-${width}.png`), fullPage: true });
    expect(strayWords(await visibleText(page))).toEqual([]);
    // No page scrolls sideways (tables scroll inside their own frame).
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(
      0,
    );
  });
});

it('raised no script error on any page', () => {
  expect(ui.pageErrors).toEqual([]);
});
