import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Replenishment in a real (headless) Chromium over the demo retailer: a store's suggested order
 * (from a fixture forecast run) is accepted as a transfer from its DC, shipped and received, and
 * the store's stock grows by the suggested quantity. Needs the built console.
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('replenishment');
});
afterAll(async () => ui?.close());

describe('replenishment', () => {
  it('accepts a suggestion as a transfer from the DC and receives it', async () => {
    const locations = (await ui.ok('GET', '/v1/locations')).items as { id: string; type: string }[];
    const store = locations.find((l) => l.type === 'store')!;
    const sku = (await ui.ok('GET', `/v1/locations/${store.id}/stock?limit=1`)).items[0].sku as string;
    const before = (await ui.ok('GET', `/v1/stock/${sku}`)).locations.find(
      (l: { location_id: string }) => l.location_id === store.id,
    ).on_hand as number;
    // a fixture forecast: 40 ± 4 a day of this SKU at this store
    const db = ui.server.santong.ctx.database.db;
    const today = new Date().toISOString().slice(0, 10);
    await db
      .insertInto('forecast_runs')
      .values({ id: 'fr_e2e', status: 'done', history_end: today, horizon_days: 28, finished_at: new Date() })
      .execute();
    await db
      .insertInto('forecast_series')
      .values({
        run_id: 'fr_e2e',
        sku,
        location_id: store.id,
        model: 'fixture',
        history_start: today,
        history: [40],
        mean: Array(28).fill(40),
        lo: Array(28).fill(30),
        hi: Array(28).fill(50),
        sd: Array(28).fill(4),
      })
      .execute();
    const s = await ui.ok('GET', `/v1/replenishment/suggestions?location_id=${store.id}`);
    const wanted = s.items.find((i: { sku: string }) => i.sku === sku);
    expect(wanted.suggested_qty).toBeGreaterThan(0);
    // the DC holds enough to give it
    await ui.ok('PUT', `/v1/stock/${s.source_id}/${sku}`, { on_hand: wanted.suggested_qty + 1000 });

    const page = await ui.signedIn(await ui.server.keyFor('admin'));
    await page.goto(`${ui.server.url}/#/replenishment/${store.id}`);
    const row = page.getByTestId('supply-row').filter({ hasText: sku });
    await row.waitFor();
    expect(await text(page.getByTestId('supply-hint'))).toContain('调拨');
    await page.screenshot({ path: path.join(SHOTS, 'replenishment.png'), fullPage: true });
    await row.getByTestId('supply-accept').click();
    await page.getByTestId('supply-accepted').waitFor();

    const transfer = page.getByTestId('transfer-row').first();
    await expect.poll(() => transfer.getAttribute('data-status')).toBe('requested');
    await transfer.getByTestId('transfer-ship').click();
    await expect.poll(() => transfer.getAttribute('data-status')).toBe('shipped');
    await transfer.getByTestId('transfer-receive').click();
    await expect.poll(() => transfer.getAttribute('data-status')).toBe('received');
    expect(await text(transfer.getByTestId('transfer-status'))).toBe('已收货');
    await page.screenshot({ path: path.join(SHOTS, 'replenishment-received.png'), fullPage: true });

    const after = (await ui.ok('GET', `/v1/stock/${sku}`)).locations.find(
      (l: { location_id: string }) => l.location_id === store.id,
    );
    expect(after.on_hand - before).toBe(wanted.suggested_qty);
    expect(after.in_transit).toBe(0);
    expect(ui.pageErrors).toEqual([]);
  });
});
