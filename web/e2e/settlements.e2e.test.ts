import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * 门店结算 in a real (headless) Chromium over the small demo retailer, whose completed pickups and
 * store deliveries were credited to their stores by the seed: open last month's statement, a store's
 * entries, download them as CSV, close the month; the revenue-share setting on the settings page.
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('settlements');
});
afterAll(async () => ui?.close());

function previousMonth(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

describe('store settlements', () => {
  it('opens a statement, downloads a store’s entries as CSV and closes the month', async () => {
    const current = await ui.ok('GET', '/v1/settlements');
    const period = previousMonth(current.period);
    const st = await ui.ok('GET', `/v1/settlements?period=${period}`);
    expect(st.status).toBe('open');
    expect(st.stores.length).toBeGreaterThan(0);
    const store = st.stores[0];

    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-settlements').click();
    expect(await text(page.locator('h1').first())).toBe('门店结算');
    await page.getByTestId('settle-status').waitFor();
    await page.getByTestId('settle-period').fill(period);
    await expect.poll(() => page.getByTestId('settle-net-total').textContent()).toBe(yuan(st.totals.net));
    expect(await text(page.getByTestId(`settle-net-${store.location_id}`))).toBe(yuan(store.net));
    expect(await text(page.getByTestId('settle-status'))).toContain('未关账');

    // A store's entries: the same net as its row, its credits named in Chinese (no raw codes).
    await page.getByTestId(`settle-store-${store.location_id}`).click();
    await page.getByTestId('settle-items-table').waitFor();
    expect(await text(page.getByTestId('settle-items-net'))).toBe(yuan(store.net));
    const table = await text(page.getByTestId('settle-items-table'));
    expect(table).toContain('分成');
    expect(table).not.toMatch(/\bcredit\b|\bmargin\b|\bnet_sales\b/);
    const items = await ui.ok('GET', `/v1/settlements/${period}/${store.location_id}`);
    expect(await page.getByTestId('settle-items-table').locator('tbody tr').count()).toBe(items.items.length);

    // The CSV download: one line per entry, amounts summing to the store's net.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('settle-csv').click()]);
    expect(download.suggestedFilename()).toBe(`settlement-${period}-${store.location_id}.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe('order_id,return_id,kind,basis_kind,percent,basis,amount,cost_missing,at');
    expect(rows).toHaveLength(items.items.length);
    expect(rows.map((r) => r.split(',')[0])).toEqual(items.items.map((i: { order_id: string }) => i.order_id));
    expect(rows.reduce((t, r) => t + Number(r.split(',')[6]), 0)).toBe(store.net);
    await page.screenshot({ path: path.join(SHOTS, 'santong-settlements-zh.png'), fullPage: true });

    // Close the month (it has ended: no early close), after a confirmation.
    await page.getByTestId('settle-close').click();
    await page.getByTestId('settle-close-dialog').waitFor();
    expect(await page.getByTestId('settle-close-early').count()).toBe(0);
    await page.getByTestId('settle-close-confirm').click();
    await page.getByTestId('settle-notice').waitFor();
    await expect.poll(() => page.getByTestId('settle-status').textContent()).toContain('已关账');
    expect(await page.getByTestId('settle-close').count()).toBe(0);
    const closed = await ui.ok('GET', `/v1/settlements?period=${period}`);
    expect(closed).toMatchObject({ status: 'closed', early: false, totals: st.totals });
    expect(closed.closed_by).toBeTruthy();
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('sets the revenue share on the settings page', async () => {
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('revenue-share-form').waitFor();
    expect(await page.getByTestId('revenue-share-percent').inputValue()).toBe('30');
    await page.getByTestId('revenue-share-percent').fill('25');
    await page.getByTestId('revenue-share-basis').selectOption('net_sales');
    await page.getByTestId('revenue-share-save').click();
    await page.getByTestId('revenue-share-saved').waitFor();
    expect(await ui.ok('GET', '/v1/settings/revenue-share')).toEqual({ percent: 25, basis: 'net_sales' });
    expect(await text(page.getByTestId('revenue-share'))).toContain('净销售额');

    // A product's cost price (the margin basis), on its stock page.
    const sku = (await ui.ok('GET', '/v1/products?limit=1')).items[0].sku as string;
    await page.goto(`${ui.server.url}/#/inventory/${sku}`);
    await page.getByTestId('cost-price-input').fill('12.34');
    await page.getByTestId('cost-price-save').click();
    await expect.poll(async () => (await ui.ok('GET', `/v1/products/${sku}`)).cost_price).toBe(1234);
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
