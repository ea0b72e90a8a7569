import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * The dashboard's coupon ROI and inventory health in a real (headless) Chromium against a real
 * server with the small demo retailer (its coupons, orders and backfilled stock snapshots).
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('analytics-health');
});
afterAll(async () => ui?.close());

const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}
const minusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);

describe('dashboard: coupon ROI and inventory health', () => {
  it('shows coupon ROI per template with its chart, and stock-outs, cover and the lists with product names', async () => {
    const page = await ui.signedIn(ui.server.adminKey);

    // Coupon ROI: the last 90 days by default, the figures of the API, a bar chart drawn by ECharts.
    const to = shanghaiToday();
    const from = minusDays(to, 89);
    const coupons = await ui.ok('GET', `/v1/analytics/coupons?from=${from}&to=${to}`);
    expect(coupons.totals.redeemed).toBeGreaterThan(0);
    expect(coupons.totals.discount).toBeGreaterThan(0);
    const table = page.getByTestId('coupon-table');
    await table.waitFor();
    expect(await text(page.getByTestId('coupon-total-discount'))).toBe(yuan(coupons.totals.discount));
    const top = coupons.templates[0];
    expect(await text(page.getByTestId(`coupon-discount-${top.template_id}`))).toBe(yuan(top.discount));
    expect(await text(page.getByTestId(`coupon-net-${top.template_id}`))).toBe(yuan(top.net_sales));
    expect(await page.getByTestId(`coupon-row-${top.template_id}`).textContent()).toContain(top.name);
    // headers in Chinese with their definitions as tooltips
    const thead = (await table.locator('thead').textContent()) ?? '';
    expect(thead).toContain('核销率');
    expect(thead).not.toMatch(/[A-Za-z]/);
    expect(await table.locator('th[title]').first().getAttribute('title')).toMatch(/^发放张数 = /);
    const chart = page.getByTestId('coupon-chart');
    await chart.locator('svg').waitFor();
    expect(await chart.locator('svg path').count()).toBeGreaterThan(coupons.templates.length);

    // Inventory health of the chain: the stock-out rates of the API, the daily history charted.
    const inv = await ui.ok('GET', '/v1/analytics/inventory');
    expect(inv.stock_out.now.pairs).toBeGreaterThan(0);
    expect(inv.stock_out.last_28_days.snapshot_days).toBeGreaterThanOrEqual(28);
    expect(await text(page.getByTestId('stockout-now'))).toBe(percent(inv.stock_out.now.rate));
    expect(await text(page.getByTestId('stockout-28d'))).toBe(percent(inv.stock_out.last_28_days.rate));
    await page.getByTestId('stockout-chart').locator('svg').waitFor();
    expect(inv.low_stock.length).toBeGreaterThan(0);
    const low = page.getByTestId('low-stock-row');
    await low.first().waitFor();
    expect(await low.count()).toBe(Math.min(10, inv.low_stock.length));
    // product names, not only SKUs (the demo's names carry both languages; Chinese is shown)
    const firstLow = (await low.first().textContent()) ?? '';
    expect(firstLow).toContain(inv.low_stock[0].sku);
    expect(firstLow).toMatch(/[\u4e00-\u9fff]/);
    if (inv.slow_movers.length > 0)
      expect(await page.getByTestId('slow-mover-row').count()).toBe(Math.min(10, inv.slow_movers.length));
    await page.screenshot({ path: path.join(SHOTS, 'santong-coupons-inventory-zh.png'), fullPage: true });

    // One store: its own figures.
    const stores = (await ui.ok('GET', '/v1/locations')).items.filter((l: { type: string }) => l.type === 'store');
    const store = stores[0].id as string;
    const one = await ui.ok('GET', `/v1/analytics/inventory?location_id=${store}`);
    await page.getByTestId('inventory-store').selectOption(store);
    await expect.poll(() => page.getByTestId('stockout-now').textContent()).toBe(percent(one.stock_out.now.rate));

    // English.
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getByTestId('coupon-roi').locator('h2').textContent()).toBe('Coupon ROI');
    expect(await page.getByTestId('inventory-health').locator('h2').textContent()).toBe('Inventory health');
    expect(await page.getByTestId('coupon-table').locator('thead').textContent()).toContain('Redemption rate');
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('store staff see their own store and no coupon figures', async () => {
    const stores = (await ui.ok('GET', '/v1/locations')).items.filter((l: { type: string }) => l.type === 'store');
    const store = stores[1].id as string;
    const key = (await ui.ok('POST', '/v1/api-keys', { role: 'store_staff', name: 'e2e staff', location_id: store }))
      .key;
    const page = await ui.signedIn(key);
    const mine = await ui.ok('GET', '/v1/analytics/inventory', undefined, 200, key);
    expect(mine.location_id).toBe(store);
    expect(await text(page.getByTestId('stockout-now'))).toBe(percent(mine.stock_out.now.rate));
    expect(await page.getByTestId('inventory-store').count()).toBe(0);
    expect(await page.getByTestId('coupon-roi').count()).toBe(0);
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
