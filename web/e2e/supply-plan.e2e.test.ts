import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Supply planning in a real (headless) Chromium over the demo retailer, with a fixture forecast
 * run: st-renmin will sell 20 a day of one product and holds none, st-jingan (3 km away) sells 2
 * a day and holds 400. An event is added to the calendar in the form; the product's forecast chart
 * shows the forecast, its interval and that event; the store-to-store suggestion is accepted, and
 * the transfer shipped and received. Needs the built console.
 */

const TO = 'st-renmin';
const DAY_MS = 86_400_000;
const day = (n: number) => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

let ui: ConsoleUnderTest;
let sku: string;
let name: string;
beforeAll(async () => {
  ui = await launchConsole('supply-plan');
  const stock = await ui.ok('GET', `/v1/locations/${TO}/stock?limit=1`);
  sku = stock.items[0].sku;
  name = (await ui.ok('GET', `/v1/products/${encodeURIComponent(sku)}`)).name;
  await ui.ok('PUT', `/v1/stock/${TO}/${encodeURIComponent(sku)}`, { on_hand: 0, safety_stock: 0 });
  await ui.ok('PUT', `/v1/stock/st-jingan/${encodeURIComponent(sku)}`, { on_hand: 400, safety_stock: 0 });
  // the one store nearer to st-renmin holds none, so st-jingan is the donor
  await ui.ok('PUT', `/v1/stock/st-lujiazui/${encodeURIComponent(sku)}`, { on_hand: 0, safety_stock: 0 });
  const db = ui.server.santong.ctx.database.db;
  await db
    .insertInto('forecast_runs')
    .values({ id: 'fr_e2e_plan', status: 'done', history_end: day(-1), horizon_days: 28, finished_at: new Date() })
    .execute();
  // eight weeks of history with a weekend peak, then a flat forecast inside an interval
  const series = (location_id: string, mean: number) => ({
    run_id: 'fr_e2e_plan',
    sku,
    location_id,
    model: 'ets',
    history_start: day(-56),
    history: Array.from({ length: 56 }, (_, i) => Math.round(mean * (i % 7 >= 5 ? 1.5 : 0.8))),
    mean: Array(28).fill(mean),
    lo: Array(28).fill(mean * 0.6),
    hi: Array(28).fill(mean * 1.4),
    sd: Array(28).fill(mean * 0.15),
  });
  await db
    .insertInto('forecast_series')
    .values([series(TO, 20), series('st-jingan', 2)])
    .execute();
});
afterAll(async () => ui?.close());

describe('supply planning', () => {
  it('adds an event to the calendar', async () => {
    const page = await ui.signedIn(await ui.server.keyFor('admin'));
    await page.goto(`${ui.server.url}/#/replenishment/${TO}/calendar`);
    await page.getByTestId('calendar-table').waitFor();
    // the demo's calendar has the coming 618 and 双11
    expect(await text(page.getByTestId('calendar-table'))).toContain('双11');
    await page.getByTestId('calendar-name').fill('店庆');
    await page.getByTestId('calendar-starts').fill(day(3));
    await page.getByTestId('calendar-ends').fill(day(4));
    await page.getByTestId('calendar-uplift').fill('2');
    // the product picked by its name
    await page.getByTestId('calendar-product-search').fill(name.slice(0, 4));
    await page
      .getByTestId('calendar-product-found')
      .getByRole('button', { name: `+ ${name}` })
      .click();
    await expect.poll(async () => (await page.getByTestId('calendar-product').textContent()) ?? '').toContain(name);
    await page.getByTestId('calendar-location').selectOption(TO);
    await page.getByTestId('calendar-submit').click();
    const row = page.getByTestId('calendar-row').filter({ hasText: '店庆' });
    await row.waitFor();
    // the product by its name (loaded after the row), not its code; the store by its name
    await expect.poll(async () => (await row.textContent()) ?? '').toContain(name);
    expect(await text(row)).toContain('人民广场店');
    // edited: its multiple changed in the same form
    await row.getByTestId('calendar-edit').click();
    expect(await page.getByTestId('calendar-name').inputValue()).toBe('店庆');
    await page.getByTestId('calendar-uplift').fill('2.5');
    await page.getByTestId('calendar-submit').click();
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('×2.5');
    await row.getByTestId('calendar-edit').click();
    await page.getByTestId('calendar-uplift').fill('2');
    await page.getByTestId('calendar-submit').click();
    await expect.poll(async () => (await row.textContent()) ?? '').not.toContain('×2.5');
    await page.screenshot({ path: path.join(SHOTS, 'supply-calendar.png'), fullPage: true });
    const events = (await ui.ok('GET', `/v1/forecast-events?sku=${encodeURIComponent(sku)}`)).items;
    expect(events.find((e: { name: string }) => e.name === '店庆')).toMatchObject({
      starts_on: day(3),
      ends_on: day(4),
      uplift: 2,
      sku,
      location_id: TO,
    });
    expect(ui.pageErrors).toEqual([]);
  });

  it('shows a product’s forecast chart with its interval and the calendar’s events', async () => {
    const page = await ui.signedIn(await ui.server.keyFor('admin'));
    await page.goto(`${ui.server.url}/#/replenishment/${TO}`);
    await page.getByTestId('supply-row').filter({ hasText: name }).getByTestId('forecast-link').click();
    const chart = page.getByTestId('forecast-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-forecast-days')).toBe('28');
    expect(await chart.getAttribute('data-history-days')).toBe('56');
    expect(Number(await chart.getAttribute('data-events'))).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await chart.textContent()) ?? '').toContain('店庆');
    expect(await text(page.getByTestId('forecast-view'))).toContain(name);
    expect(await text(page.getByTestId('forecast-next7'))).toBe('140');
    expect(await text(page.getByTestId('forecast-model'))).toContain('趋势平滑');
    expect(await text(page.getByTestId('forecast-legend'))).toContain('80% 区间');
    await page.screenshot({ path: path.join(SHOTS, 'supply-forecast.png'), fullPage: true });
    // the chain total: no series for it in the fixture run
    await page.getByTestId('forecast-scope').selectOption('chain');
    await page.getByTestId('forecast-none').waitFor();
    // the product's stock page leads to the same forecast, at the store picked there
    await page.goto(`${ui.server.url}/#/inventory/${encodeURIComponent(sku)}`);
    await page.locator(`[data-testid="stock-row"][data-location="${TO}"]`).click();
    await page.getByTestId('stock-forecast').click();
    await expect.poll(() => page.evaluate('window.location.hash')).toBe(`#/replenishment/${TO}/forecast/${sku}`);
    await expect.poll(() => page.getByTestId('forecast-chart').getAttribute('data-forecast-days')).toBe('28');
    expect(ui.pageErrors).toEqual([]);
  });

  it('accepts a store-to-store suggestion and receives the transfer', async () => {
    const before = (await ui.ok('GET', `/v1/stock/${encodeURIComponent(sku)}`)).locations.find(
      (l: { location_id: string }) => l.location_id === TO,
    );
    const page = await ui.signedIn(await ui.server.keyFor('admin'));
    await page.goto(`${ui.server.url}/#/replenishment/${TO}/rebalance`);
    const row = page.getByTestId('rebalance-row').filter({ hasText: name });
    await row.waitFor();
    const move = (await ui.ok('GET', `/v1/replenishment/transfer-suggestions?location_id=${TO}`)).items.find(
      (m: { sku: string; to_location_id: string }) => m.sku === sku && m.to_location_id === TO,
    );
    expect(move).toMatchObject({ from_location_id: 'st-jingan', qty: expect.any(Number) });
    expect(move.qty).toBeGreaterThan(0);
    expect(await text(row)).toContain('静安');
    await page.screenshot({ path: path.join(SHOTS, 'supply-rebalance.png'), fullPage: true });
    await row.getByTestId('rebalance-accept').click();
    await page.getByTestId('rebalance-accepted').waitFor();
    // accepted: it is not suggested again
    await expect.poll(() => page.getByTestId('rebalance-row').filter({ hasText: name }).count()).toBe(0);

    const transfer = page.getByTestId('transfer-row').first();
    await expect.poll(() => transfer.getAttribute('data-status')).toBe('requested');
    expect(await text(transfer)).toContain('门店间调拨');
    await transfer.getByTestId('transfer-ship').click();
    await expect.poll(() => transfer.getAttribute('data-status')).toBe('shipped');
    await transfer.getByTestId('transfer-receive').click();
    await expect.poll(() => transfer.getAttribute('data-status')).toBe('received');
    expect(await text(transfer.getByTestId('transfer-status'))).toBe('已收货');
    await page.screenshot({ path: path.join(SHOTS, 'supply-rebalance-received.png'), fullPage: true });

    const after = (await ui.ok('GET', `/v1/stock/${encodeURIComponent(sku)}`)).locations.find(
      (l: { location_id: string }) => l.location_id === TO,
    );
    expect(after.on_hand - before.on_hand).toBe(move.qty);
    expect(after.in_transit).toBe(0);
    expect(ui.pageErrors).toEqual([]);
  });

  it('shows a store’s staff their own store, the calendar read-only and no campaign planning', async () => {
    const page = await ui.signedIn(await ui.server.keyFor('store_staff', { location_id: 'st-jingan' }));
    await page.goto(`${ui.server.url}/#/replenishment/${TO}/calendar`);
    await page.getByTestId('calendar-table').waitFor();
    expect(await page.getByTestId('calendar-form').count()).toBe(0);
    expect(await page.getByTestId('calendar-edit').count()).toBe(0);
    expect(await text(page.getByTestId('supply-tabs'))).not.toContain('活动备货');
    expect(await page.getByTestId('supply-location').count()).toBe(0);
    await page.getByTestId('tab-suggestions').click();
    // st-jingan's side of the transfer it gave: received, nothing left to do
    const row = page.getByTestId('transfer-row').filter({ hasText: '静安寺店' }).first();
    await row.waitFor();
    expect(await text(row)).toContain('人民广场店');
    expect(ui.pageErrors).toEqual([]);
  });

  it('works out a campaign’s stock-up and makes the stores’ transfers', async () => {
    const page = await ui.signedIn(await ui.server.keyFor('admin'));
    await page.goto(`${ui.server.url}/#/replenishment/${TO}/campaign`);
    await page.getByTestId('campaign-starts').fill(day(5));
    await page.getByTestId('campaign-ends').fill(day(7));
    await page.getByTestId('campaign-uplift').fill('100');
    await page.getByTestId('campaign-search').fill(name.slice(0, 4));
    await page
      .getByTestId('campaign-found')
      .getByRole('button', { name: `+ ${name}` })
      .click();
    await page.getByTestId('campaign-submit').click();
    const row = page.getByTestId('campaign-store-row').filter({ hasText: '人民广场店' });
    await row.waitFor();
    // 8 days of 20 = 160, the campaign's 3 days 60 doubled: +60; the received transfer is its position
    const plan = await ui.ok(
      'POST',
      '/v1/replenishment/campaign-stock-up',
      { starts_on: day(5), ends_on: day(7), skus: [sku], uplift: 1 },
      200,
    );
    const mine = plan.stores.find((r: { location_id: string }) => r.location_id === TO);
    expect(mine).toMatchObject({ baseline: 60, uplift_units: 60 });
    expect(await text(row)).toContain(String(mine.stock_up_qty));
    await page.screenshot({ path: path.join(SHOTS, 'supply-campaign.png'), fullPage: true });
    await page.getByTestId('campaign-transfers').click();
    await page.getByTestId('campaign-made').waitFor();
    const made = (await ui.ok('GET', `/v1/transfers?location_id=${TO}&status=requested`)).items;
    expect(made[0]).toMatchObject({
      origin: 'campaign',
      from_location_id: mine.source_id,
      lines: [{ sku, qty: mine.stock_up_qty }],
    });
    expect(ui.pageErrors).toEqual([]);
  });
});
