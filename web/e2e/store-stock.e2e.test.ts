import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Stock per store in a real (headless) Chromium: from Stores an admin opens one store's stock
 * (every SKU with on hand, reserved, safety, online-available and 7 days' sales, as the API
 * answers), searches a product by name, sorts by sales; store staff find their own store's stock
 * under Inventory; the product list has a stock column; the low-stock list names the rule that
 * fired. Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('store-stock');
});
afterAll(async () => ui?.close());

const cells = (row: import('playwright-core').Locator) =>
  row.locator('td').evaluateAll((tds) => tds.map((td) => (td.textContent ?? '').trim()));
const n = (v: number) => v.toLocaleString('en-US');

describe('stock per store', () => {
  it("opens a store's stock from Stores, searches a product, sorts by 7-day sales", async () => {
    const store = (await ui.ok('GET', '/v1/locations')).items.find((l: any) => l.type === 'store');
    const api = await ui.ok('GET', `/v1/locations/${store.id}/stock?limit=50`);
    expect(api.items.length).toBeGreaterThan(0);

    const page = await ui.signedIn(await ui.server.keyFor('admin'));
    await page.getByTestId('nav-stores').click();
    await page.getByTestId(`store-stock-${store.id}`).click();
    const rows = page.getByTestId('store-stock-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(api.items.length);
    const first = api.items[0];
    expect(await rows.first().getAttribute('data-sku')).toBe(first.sku);
    expect(await cells(rows.first())).toEqual([
      `${first.name}${first.sku}`,
      n(first.on_hand),
      n(first.reserved),
      n(first.safety_stock),
      n(first.available),
      n(first.online_available),
      n(first.sales_7d),
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'store-stock.png'), fullPage: true });

    // Search by part of a product's name: that product, and only matches.
    const wanted = api.items[Math.min(3, api.items.length - 1)];
    const part = wanted.name.split(' ').slice(-2).join(' ');
    const found = await ui.ok('GET', `/v1/locations/${store.id}/stock?q=${encodeURIComponent(part)}`);
    await page.getByTestId('store-stock-search').fill(part);
    await expect
      .poll(async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-sku'))))
      .toEqual(found.items.map((i: any) => i.sku));
    expect(found.items.map((i: any) => i.sku)).toContain(wanted.sku);
    await page.screenshot({ path: path.join(SHOTS, 'store-stock-search.png'), fullPage: true });

    // Sorted by the last 7 days' sales, most first, as the API sorts them.
    await page.getByTestId('store-stock-search').fill('');
    await page.getByTestId('store-stock-sort').selectOption('sales_7d');
    await page.getByTestId('store-stock-order').selectOption('desc');
    const bySales = await ui.ok('GET', `/v1/locations/${store.id}/stock?sort=sales_7d&order=desc&limit=50`);
    await expect
      .poll(async () => rows.evaluateAll((els) => els.slice(0, 5).map((e) => e.getAttribute('data-sku'))))
      .toEqual(bySales.items.slice(0, 5).map((i: any) => i.sku));
    const sales = await page.getByTestId('store-stock-sales').first().textContent();
    expect(sales?.trim()).toBe(n(bySales.items[0].sales_7d));

    // The product list's stock column: on hand over every location.
    await page.getByTestId('nav-inventory').click();
    const product = page.getByTestId('product-row').first();
    await product.waitFor();
    const sku = (await product.locator('a.mono').textContent())!.trim();
    const total = (await ui.ok('GET', `/v1/stock/totals?skus=${sku}`)).items[0].on_hand;
    await expect.poll(async () => text(product.getByTestId('product-on-hand'))).toBe(n(total));
    // Its detail shows the barcode the till scans, editable by an admin.
    await product.click();
    const barcode = (await ui.ok('GET', `/v1/products/${sku}`)).barcode;
    expect(barcode).toMatch(/^69\d{11}$/);
    await expect.poll(async () => page.getByTestId('barcode-input').inputValue()).toBe(barcode);
    expect(ui.pageErrors).toEqual([]);
  });

  it("store staff see their own store's stock under Inventory, and low stock with the rule that fired", async () => {
    const store = (await ui.ok('GET', '/v1/locations')).items.filter((l: any) => l.type === 'store')[1];
    const page = await ui.signedIn(await ui.server.keyFor('store_staff', { location_id: store.id }));
    await page.getByTestId('nav-inventory').click();
    await page.getByTestId('tab-stores').click();
    expect(await page.getByTestId('inventory-store').count()).toBe(0);
    const first = (await ui.ok('GET', `/v1/locations/${store.id}/stock?limit=1`)).items[0];
    await expect.poll(async () => page.getByTestId('store-stock-row').first().getAttribute('data-sku')).toBe(first.sku);
    await page.screenshot({ path: path.join(SHOTS, 'store-stock-staff.png'), fullPage: true });

    const low = await ui.ok('GET', `/v1/stock/low/locations?location_id=${store.id}`);
    expect(low.items.length).toBeGreaterThan(0);
    await page.getByTestId('tab-low').click();
    await page.getByTestId('low-rules-help').waitFor();
    expect(await text(page.getByTestId('low-rules-help'))).toContain('安全库存');
    expect(await text(page.getByTestId('low-rules-help'))).toContain('safety stock');
    const row = page.getByTestId('low-level-row').first();
    await row.waitFor();
    expect(await row.getAttribute('data-location')).toBe(store.id);
    expect(await row.getAttribute('data-sku')).toBe(low.items[0].sku);
    expect(await row.getAttribute('data-rules')).toBe(low.items[0].rules.join(' '));
    expect(await text(row)).toContain('低于安全库存');
    await page.screenshot({ path: path.join(SHOTS, 'low-stock-by-store.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });
});
