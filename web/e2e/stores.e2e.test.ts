import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Editing a store and closing/reopening it from the Stores page in a real (headless) Chromium; a
 * closed store refuses a till sale and drops out of nearby search.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('stores');
});
afterAll(async () => ui?.close());

describe('stores in the console', () => {
  it('edits a store, closes it (no sales, not nearby) and reopens it', async () => {
    const store = (await ui.ok('GET', '/v1/locations')).items.find((l: any) => l.type === 'store');
    const page = await ui.signedIn(ui.server.adminKey);
    page.on('dialog', (d) => void d.accept());
    await page.getByTestId('nav-stores').click();
    const row = page.getByTestId(`store-row-${store.id}`);
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await text(page.getByTestId(`store-status-${store.id}`))).toBe('营业中');

    // Edit: a new name, daily hours 08:30–21:00, a 4.5 km delivery radius.
    await page.getByTestId(`store-edit-${store.id}`).click();
    const form = page.getByTestId('location-edit-form');
    await form.getByTestId('location-edit-name').fill('测试改名店 Renamed');
    const always = form.getByTestId('location-edit-always');
    if (await always.isChecked()) await always.uncheck();
    await form.getByTestId('location-edit-opens').fill('08:30');
    await form.getByTestId('location-edit-closes').fill('21:00');
    await form.getByTestId('location-edit-km').fill('4.5');
    await form.getByTestId('location-edit-submit').click();
    await page.getByTestId('location-saved').waitFor();
    const edited = await ui.ok('GET', `/v1/locations/${store.id}`);
    expect(edited).toMatchObject({
      name: '测试改名店 Renamed',
      capabilities: { ship: store.capabilities.ship, pickup: store.capabilities.pickup, local_delivery_km: 4.5 },
      status: 'active',
    });
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
      expect(edited.opening_hours[d]).toEqual([['08:30', '21:00']]);
    await expect.poll(() => text(row)).toContain('测试改名店');

    // Close it: the row says so, a till sale there is refused, nearby search skips it.
    await page.getByTestId(`store-status-toggle-${store.id}`).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('closed');
    expect(await text(page.getByTestId(`store-status-${store.id}`))).toBe('已关闭');
    expect(await text(page.getByTestId('location-saved'))).toContain('已关闭');
    await page.screenshot({ path: path.join(SHOTS, 'santong-stores-closed.png'), fullPage: true });
    const product = (await allProducts(ui)).find((p) => p.channels.includes('pos'));
    const sale = await ui.server.api('POST', '/v1/orders', {
      channel: 'pos',
      lines: [{ sku: product.sku, qty: 1 }],
      fulfillment: { type: 'in_store', location_id: store.id },
    });
    expect([sale.status, sale.body.error.code, sale.body.error.field]).toEqual([
      422,
      'location_closed',
      'fulfillment.location_id',
    ]);
    const near = await ui.ok('GET', `/v1/locations/nearby?lat=${store.lat}&lng=${store.lng}&radius_km=1`);
    expect(near.items.map((n: any) => n.location_id)).not.toContain(store.id);

    // Reopen.
    await page.getByTestId(`store-status-toggle-${store.id}`).click();
    await expect.poll(() => row.getAttribute('data-status')).toBe('active');
    expect((await ui.ok('GET', `/v1/locations/${store.id}`)).status).toBe('active');
    const again = await ui.ok('GET', `/v1/locations/nearby?lat=${store.lat}&lng=${store.lng}&radius_km=1`);
    expect(again.items.map((n: any) => n.location_id)).toContain(store.id);
    expect(ui.pageErrors).toEqual([]);
  });
});
