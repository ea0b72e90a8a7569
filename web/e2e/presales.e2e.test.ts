import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * 新品预约 in a real (headless) Chromium over the small demo retailer: a marketer's pre-sale created
 * from the page, a store's staff member reserving for a customer at their store, the demand per
 * store (table and chart) counting it, and the store cancelling it with the deposit refunded.
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('presales');
});
afterAll(async () => ui?.close());

describe('pre-sales', () => {
  it('creates a pre-sale, reserves at a store, shows the demand per store and cancels the reservation', async () => {
    const product = (await ui.ok('GET', '/v1/products?limit=1')).items[0];
    const stores = (await ui.ok('GET', '/v1/locations')).items.filter((l: { type: string }) => l.type === 'store');
    const store = stores[0];

    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-presales').click();
    expect(await text(page.locator('h1').first())).toBe('新品预约');
    // the demo's pre-sale is listed with its reservations
    await page.getByTestId('presale-table').waitFor();

    await page.getByTestId('presale-sku').fill(product.sku);
    await page.getByTestId('presale-title').fill('秋季新品 预约');
    await page.getByTestId('presale-launch').fill('2030-03-01T10:00');
    await page.getByTestId('presale-deposit').fill('20');
    await page.getByTestId('presale-limit').fill('2');
    await page.getByTestId('presale-submit').click();
    await page.waitForURL(/#\/presales\/pre_/);
    const id = decodeURIComponent(page.url().split('/').pop()!);
    const created = await ui.ok('GET', `/v1/presales/${id}`);
    expect(created).toMatchObject({ sku: product.sku, title: '秋季新品 预约', deposit: 2000, per_customer_limit: 2 });
    await page.getByTestId(`presale-row-${id}`).waitFor();

    // A store's staff member reserves for a customer at their store; the deposit is paid at the counter (API).
    const staff = await ui.server.keyFor('store_staff', { location_id: store.id });
    const staffPage = await ui.signedIn(staff);
    await staffPage.goto(`${ui.server.url}/#/presales/${id}`);
    await staffPage.getByTestId('presale-reserve-phone').fill('+8613900009999');
    await staffPage.getByTestId('presale-reserve').click();
    await staffPage.getByTestId('presale-invite-table').waitFor();
    const invites = await ui.ok('GET', `/v1/presales/${id}/reservations`);
    expect(invites.items).toHaveLength(1);
    expect(invites.items[0]).toMatchObject({ location_id: store.id, status: 'pending_payment', qty: 1 });
    expect(await text(staffPage.getByTestId('presale-invite-table'))).toContain('待付定金');
    await ui.ok('POST', `/v1/presales/${id}/reservations/${invites.items[0].id}/pay`, { payment_ref: 'e2e-1' }, 200);

    // The demand: the store holds one unit, in the table and the chart, named in Chinese.
    await page.reload();
    await page.getByTestId('presale-demand-table').waitFor();
    await expect.poll(() => text(page.getByTestId('presale-total-units'))).toBe('1');
    const row = await text(page.getByTestId(`presale-demand-${store.id}`));
    expect(row).toContain(store.name.split(' ')[0]);
    await page.getByTestId('presale-chart').locator('svg').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'presale-demand-zh.png'), fullPage: true });
    await staffPage.screenshot({ path: path.join(SHOTS, 'presale-invites-zh.png'), fullPage: true });

    // The customer changes their mind: the store cancels, the deposit is refunded.
    const reservation = invites.items[0].id as string;
    await staffPage.reload();
    const invite = staffPage.getByTestId(`presale-invite-${reservation}`);
    await invite.waitFor();
    let asked = '';
    staffPage.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await invite.getByTestId(`presale-cancel-${reservation}`).click();
    await expect.poll(() => text(invite.getByTestId('presale-invite-status'))).toContain('已取消');
    expect(asked).toContain('已付定金 ¥20.00 将退还');
    expect(await text(invite.getByTestId('presale-invite-status'))).toContain('已退定金 ¥20.00');
    expect(await invite.getByTestId(`presale-cancel-${reservation}`).count()).toBe(0);
    const cancelled = (await ui.ok('GET', `/v1/presales/${id}/reservations`)).items[0];
    expect(cancelled).toMatchObject({ status: 'cancelled', refunded: 2000 });
    await staffPage.screenshot({ path: path.join(SHOTS, 'presale-cancelled-zh.png'), fullPage: true });
    await page.close();
    await staffPage.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
