import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Issue 16, findable customers and the orders list in a real (headless) Chromium over the small demo
 * retailer: a till's search by the last 4 digits of a phone, the profile headed by the name, the
 * orders list filtered by day and exported as CSV. Needs the built console (npm run build:web).
 */

/** A number no demo customer has (theirs are +86 1x 0… to 01…), and a name none has. */
const PHONE = '13987654821';
const NAME = '林小雨';

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('customer-search');
});
afterAll(async () => ui?.close());

/** Today in the retailer's time zone (Asia/Shanghai), YYYY-MM-DD. */
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

describe('finding customers and orders in the console', () => {
  let customerId = '';
  let orderId = '';

  it('finds a customer by the last 4 digits of the phone, opens the profile and sees the name', async () => {
    customerId = (
      await ui.ok(
        'POST',
        '/v1/identify',
        { identifiers: [{ type: 'phone', value: PHONE }], channel: 'pos', traits: { name: NAME } },
        200,
      )
    ).customer_id;
    const locations: any[] = (await ui.ok('GET', '/v1/locations')).items;
    const stores = new Set(locations.filter((l) => l.type !== 'dc').map((l) => l.id));
    let sale: { sku: string; store: string } | null = null;
    for (const p of await allProducts(ui)) {
      if (!p.channels.includes('pos')) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find((l: any) => stores.has(l.location_id) && l.on_hand >= 1);
      if (level) {
        sale = { sku: p.sku, store: level.location_id };
        break;
      }
    }
    expect(sale).not.toBeNull();
    orderId = (
      await ui.ok('POST', '/v1/orders', {
        channel: 'pos',
        customer: { type: 'phone', value: PHONE },
        lines: [{ sku: sale!.sku, qty: 1 }],
        fulfillment: { type: 'in_store', location_id: sale!.store },
      })
    ).id;

    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-row').first().waitFor();
    expect(await text(page.getByTestId('customer-count'))).toMatch(/^共 \d+ 位顾客$/);
    await page.getByTestId('customer-search-input').fill(PHONE.slice(-4));
    await page.getByTestId('customer-search-submit').click();
    const row = page.locator(`[data-testid="customer-row"][data-customer="${customerId}"]`);
    await row.waitFor();
    expect(await text(row.getByTestId('customer-name'))).toBe(NAME);
    expect(await row.textContent()).toContain('139****4821');
    expect(await text(page.getByTestId('customer-count'))).toMatch(/^共 [1-9]\d* 位顾客$/);
    await page.screenshot({ path: path.join(SHOTS, 'santong-customers-phone-tail.png'), fullPage: true });

    await row.click();
    await page.waitForURL((u) => u.hash === `#/customers/${customerId}`);
    await expect.poll(() => text(page.getByTestId('profile-name'))).toBe(NAME);
    expect(await text(page.getByTestId('profile-id'))).toBe(customerId);
    await page.screenshot({ path: path.join(SHOTS, 'santong-customer-profile-name.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });

  it('filters the orders list by date, shows the customer and exports CSV', async () => {
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-orders').click();
    await page.getByTestId('order-row').first().waitFor();
    await page.getByTestId('filter-from').fill(today());
    await page.getByTestId('filter-to').fill(today());
    const ours = page.getByTestId('order-row').filter({ hasText: orderId });
    await ours.waitFor();
    expect(await text(ours.getByTestId('order-customer'))).toBe(NAME);
    // Every row shown is from today: yesterday's orders are gone.
    const shown = await ui.ok('GET', `/v1/orders?from=${today()}&to=${today()}&limit=200`);
    await expect.poll(() => page.getByTestId('order-row').count()).toBe(Math.min(50, shown.items.length));
    await page.screenshot({ path: path.join(SHOTS, 'santong-orders-today.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('orders-export').click()]);
    expect(download.suggestedFilename()).toBe('orders.csv');
    const csv = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('id,placed_at,channel,location_id,fulfillment_type,status,total_fen,customer_id,customer_name');
    expect(csv).toHaveLength(shown.items.length + 1);
    expect(csv.find((l) => l.startsWith(`${orderId},`))).toMatch(new RegExp(`,${customerId},${NAME}$`));
    const audit = await ui.ok('GET', '/v1/audit?action=order.export');
    expect(audit.items.length).toBe(1);
    expect(ui.pageErrors).toEqual([]);
  });
});
