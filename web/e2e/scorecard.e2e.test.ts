import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * Customers, cohorts and stores in a real (headless) Chromium against a real server with the small
 * demo retailer: the dashboard's customer panels and league table, a store's scorecard.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('scorecard');
});
afterAll(async () => ui?.close());

const todayIn = (timezone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
const minusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);
const minutes = (s: number) => (s / 60 < 10 ? (s / 60).toFixed(1) : String(Math.round(s / 60)));
const percent = (r: number) => `${(r * 100).toFixed(1)}%`;

describe('customers and stores in the console', () => {
  it('shows new vs returning, the cohort heat map and the store league table on the dashboard', async () => {
    const tz = (await ui.ok('GET', '/v1/analytics/dashboard')).timezone as string;
    const to = todayIn(tz);
    const from = minusDays(to, 89);
    const cust = await ui.ok('GET', `/v1/analytics/customers?from=${from}&to=${to}&group_by=week`);
    expect(cust.totals.buyers).toBeGreaterThan(0);
    const league = await ui.ok('GET', `/v1/analytics/stores?from=${from}&to=${to}`);
    const page = await ui.signedIn(ui.server.adminKey);
    expect(await text(page.getByTestId('cust-buyers'))).toBe(cust.totals.buyers.toLocaleString('en-US'));
    expect(await text(page.getByTestId('cust-new'))).toBe(cust.totals.new.toLocaleString('en-US'));
    expect(await text(page.getByTestId('cust-returning'))).toBe(cust.totals.returning.toLocaleString('en-US'));
    // Each figure carries its definition.
    expect(await page.getByTestId('cust-repurchase').locator('..').getAttribute('title')).toContain('复购率');
    // The cohort heat map is drawn by ECharts (SVG), with the numbers in the table below it.
    await page.getByTestId('cohort-heatmap').locator('svg').first().waitFor();
    expect(await page.getByTestId('cohort-table').locator('tbody tr').count()).toBeGreaterThan(0);
    const first = league.stores[0];
    expect(first.in_store_net_sales + first.o2o_net_sales).toBeGreaterThan(0);
    const row = page.getByTestId(`league-row-${first.location_id}`);
    expect(await text(row)).toContain(yuan(first.in_store_net_sales));
    await page.getByTestId('customer-analytics').screenshot({ path: path.join(SHOTS, 'santong-customers-zh.png') });
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it("opens a store's scorecard from the Stores page and sees its figures, in Chinese then English", async () => {
    const tz = (await ui.ok('GET', '/v1/analytics/dashboard')).timezone as string;
    const to = todayIn(tz);
    const from = minusDays(to, 29);
    const league = await ui.ok('GET', `/v1/analytics/stores?from=${from}&to=${to}`);
    // the store with the most online orders it fulfilled: its timings are there
    const store = [...league.stores].sort((a, b) => b.online_orders.total - a.online_orders.total)[0];
    const card = await ui.ok('GET', `/v1/stores/${store.location_id}/scorecard?from=${from}&to=${to}`);
    expect(card.online_orders.total).toBeGreaterThan(0);
    expect(card.median_pick_seconds).not.toBeNull();

    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-stores').click();
    await page.getByTestId(`store-scorecard-${store.location_id}`).click();
    const section = page.getByTestId('scorecard');
    await section.waitFor();
    expect(await text(page.getByTestId('score-in-store'))).toBe(yuan(card.in_store_net_sales));
    expect(await text(page.getByTestId('score-o2o-sales'))).toBe(yuan(card.o2o_net_sales));
    expect(await text(page.getByTestId('score-kind-total'))).toBe(card.online_orders.total.toLocaleString('en-US'));
    expect(await text(page.getByTestId('score-kind-pickup'))).toBe(card.online_orders.pickup.toLocaleString('en-US'));
    expect(await text(page.getByTestId('score-pick'))).toBe(`${minutes(card.median_pick_seconds)} 分钟`);
    expect(await text(page.getByTestId('score-recruited'))).toBe(card.members_recruited.toLocaleString('en-US'));
    if (card.hour_delivery_on_time_rate !== null)
      expect(await text(page.getByTestId('score-on-time'))).toBe(percent(card.hour_delivery_on_time_rate));
    // the demo counts footfall (src/demo/appointments.ts): conversion = till sales ÷ visitors
    expect(await text(page.getByTestId('score-footfall'))).toBe(
      card.footfall_conversion === null ? '无数据' : percent(card.footfall_conversion),
    );
    // No English or raw codes in the Chinese scorecard.
    expect(await text(section)).not.toMatch(/[A-Za-z_]/);
    await page.screenshot({ path: path.join(SHOTS, 'santong-scorecard-zh.png'), fullPage: true });

    await page.getByTestId('lang-en').click();
    expect(await text(page.getByTestId('score-pick'))).toBe(`${minutes(card.median_pick_seconds)} min`);
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it("store staff open their own store's scorecard; another store's is refused", async () => {
    const league = await ui.ok('GET', `/v1/analytics/stores?from=2020-01-01&to=2020-01-02`);
    const [mine, other] = league.stores.map((s: { location_id: string }) => s.location_id);
    const staff = await ui.server.keyFor('store_staff', { location_id: mine });
    const page = await ui.signedIn(staff);
    await page.goto(`${ui.server.url}/#/stores/${mine}`);
    await page.getByTestId('scorecard').waitFor();
    expect(await text(page.getByTestId('score-kind-total'))).toMatch(/^[\d,]+$/);
    await page.goto(`${ui.server.url}/#/stores/${other}`);
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByTestId('scorecard').count()).toBe(0);
    await page.close();
  });
});
