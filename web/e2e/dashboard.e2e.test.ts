import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * The console in a real (headless) Chromium against a real server with the small demo retailer.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('dashboard');
});
afterAll(async () => ui?.close());

/** A fresh page signed in with the admin key. */
const signedInPage = (): Promise<Page> => ui.signedIn(ui.server.adminKey);

const byTestId = (page: Page, testId: string): Promise<string> => text(page.getByTestId(testId));

describe('console', () => {
  it('signs in, shows the dashboard figures of the API and switches to English', async () => {
    const page = await ui.freshPage();

    // A wrong key is refused with a message; the admin key gets in.
    await page.getByTestId('signin-use-key').click();
    await page.getByTestId('signin-key').fill('st_not_a_real_key');
    await page.getByTestId('signin-submit').click();
    expect(await byTestId(page, 'signin-error')).toBe('密钥无效或已被吊销');
    await page.getByTestId('signin-key').fill(ui.server.adminKey);
    await page.getByTestId('signin-submit').click();

    const shown = await byTestId(page, 'kpi-30d-sales');
    const r = await ui.server.api('GET', '/v1/analytics/dashboard');
    expect(r.status).toBe(200);
    const d = r.body;
    expect(d.last_30_days.totals.sales).toBeGreaterThan(0);
    expect(shown).toBe(yuan(d.last_30_days.totals.sales));
    expect(shown).not.toBe('¥0.00');
    expect(shown).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    expect(await byTestId(page, 'kpi-30d-orders')).toBe(d.last_30_days.totals.orders.toLocaleString('en-US'));
    expect(await byTestId(page, 'kpi-today-sales')).toBe(yuan(d.today.totals.sales));

    // The channel table has the POS row, named in Chinese, with its 30-day sales.
    const pos = d.last_30_days.by_channel.find((c: any) => c.channel === 'pos');
    expect(pos).toBeTruthy();
    const posRow = page.getByTestId('channel-row-pos');
    await posRow.waitFor();
    expect(await posRow.textContent()).toContain('门店 POS');
    expect(await byTestId(page, 'channel-30d-sales-pos')).toBe(yuan(pos.sales));

    // The chart (ECharts, SVG) is drawn: the 30 days, every order of them, and a legend.
    const chart = page.getByTestId('daily-chart');
    await chart.waitFor();
    expect(await chart.getAttribute('data-days')).toBe('30');
    expect(Number(await chart.getAttribute('data-orders'))).toBe(
      d.daily.reduce((n: number, p: any) => n + p.orders, 0),
    );
    await expect.poll(() => chart.locator('svg path').count()).toBeGreaterThan(10);
    const box = await chart.boundingBox();
    expect(box && box.width > 400 && box.height > 100).toBe(true);
    expect(await page.getByTestId('chart-legend').textContent()).toContain('小程序');
    await page.screenshot({ path: path.join(SHOTS, 'santong-dashboard-zh.png'), fullPage: true });

    // English, remembered across a reload.
    expect(await byTestId(page, 'nav-orders')).toBe('订单');
    await page.getByTestId('lang-en').click();
    expect(await byTestId(page, 'nav-orders')).toBe('Orders');
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('Dashboard');
    expect(await page.getByTestId('channel-row-pos').textContent()).toContain('Store POS');
    await page.reload();
    expect(await byTestId(page, 'nav-dashboard')).toBe('Dashboard');
    expect(await byTestId(page, 'kpi-30d-sales')).toBe(shown);
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.screenshot({ path: path.join(SHOTS, 'santong-dashboard-en.png'), fullPage: true });
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('opens the sales figures for a range, compares them and switches store', async () => {
    const page = await signedInPage();
    const tz = (await ui.server.api('GET', '/v1/analytics/dashboard')).body.timezone as string;
    const today = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
    const daysBefore = (n: number) =>
      new Date(Date.parse(`${today}T00:00:00Z`) - n * 86400_000).toISOString().slice(0, 10);
    const sales = async (q: string) => {
      const r = await ui.server.api('GET', `/v1/analytics/sales?${q}`);
      expect(r.status, q).toBe(200);
      return r.body;
    };
    const kpis = page.getByTestId('sales-kpis');
    await kpis.waitFor();

    // Last 7 days, compared with the 7 before: the figures and the change are the API's.
    await page.getByTestId('range-7d').click();
    const from7 = daysBefore(6);
    await expect.poll(() => kpis.getAttribute('data-range')).toBe(`${from7}..${today}`);
    const week = await sales(`from=${from7}&to=${today}&group_by=day&compare=previous_period`);
    expect(week.totals.orders).toBeGreaterThan(0);
    expect(await byTestId(page, 'sales-kpi-net_sales')).toBe(yuan(week.totals.net_sales));
    expect(await byTestId(page, 'sales-kpi-orders')).toBe(week.totals.orders.toLocaleString('en-US'));
    expect(await byTestId(page, 'sales-kpi-customers')).toBe(week.totals.customers.toLocaleString('en-US'));
    expect(await byTestId(page, 'sales-kpi-aov')).toBe(yuan(week.totals.aov));
    expect(week.compare.to).toBe(daysBefore(7));
    expect(await byTestId(page, 'sales-kpi-net_sales-compare')).toMatch(/较上期 [+-]?\d+\.\d%|上期无数据/);
    // Each figure carries its definition.
    expect(await kpis.locator('.kpi').first().getAttribute('title')).toContain(
      '净销售额 = 销售总额 − 优惠券 − 积分抵扣 − 退款',
    );
    // One bar per day (ECharts), the channel rows and the top SKUs with their product names.
    await expect.poll(() => page.getByTestId('sales-chart').getAttribute('data-bars')).toBe('7');
    await expect.poll(() => page.getByTestId('sales-chart').locator('svg path').count()).toBeGreaterThan(7);
    const byChannel = await sales(`from=${from7}&to=${today}&group_by=channel`);
    const topChannel = byChannel.rows[0];
    await expect
      .poll(() => text(page.getByTestId(`sales-channel-row-${topChannel.key}`)))
      .toContain(yuan(topChannel.net_sales));
    const topSku = (await sales(`from=${from7}&to=${today}&group_by=sku&limit=10`)).rows[0];
    await expect.poll(() => text(page.getByTestId(`top-skus-row-${topSku.key}`))).toContain(yuan(topSku.net_sales));
    const product = (await ui.server.api('GET', `/v1/products/${encodeURIComponent(topSku.key)}`)).body;
    await expect.poll(() => text(page.getByTestId(`top-skus-row-${topSku.key}`))).toContain(product.name);

    // Today against the same day last week, by channel: the API's figures.
    const todayCh = await sales(`from=${today}&to=${today}&group_by=channel`);
    const weekAgoCh = await sales(`from=${daysBefore(7)}&to=${daysBefore(7)}&group_by=channel`);
    const busy = todayCh.rows[0] ?? weekAgoCh.rows[0];
    expect(busy).toBeTruthy();
    const busyRow = page.getByTestId(`today-vs-week-row-${busy.key}`);
    await expect
      .poll(() => text(busyRow))
      .toContain(yuan(todayCh.rows.find((r: any) => r.key === busy.key)?.net_sales ?? 0));
    expect(await text(busyRow)).toContain(yuan(weekAgoCh.rows.find((r: any) => r.key === busy.key)?.net_sales ?? 0));

    // O2O: online orders fulfilled by stores = the stores' net sales − their till sales, over online net sales.
    const storeIds = new Set(
      (await ui.server.api('GET', '/v1/locations')).body.items
        .filter((l: any) => l.type === 'store')
        .map((l: any) => l.id),
    );
    const sumStores = (rows: any[]) => rows.filter((r) => storeIds.has(r.key)).reduce((n, r) => n + r.net_sales, 0);
    const o2oNet =
      sumStores((await sales(`from=${from7}&to=${today}&group_by=location&limit=2000`)).rows) -
      sumStores((await sales(`from=${from7}&to=${today}&group_by=location&channel=pos&limit=2000`)).rows);
    expect(o2oNet).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('sales-kpi-o2o-net').getAttribute('data-net')).toBe(String(o2oNet));
    expect(await page.getByTestId('sales-kpi-o2o').locator('..').getAttribute('title')).toContain('O2O 占比 =');

    // The range's figures by day as CSV: a header and one line per day.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sales-csv').click()]);
    expect(download.suggestedFilename()).toBe(`sales-${from7}-${today}.csv`);
    const csv = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('key,gross_sales,coupons,points,refunds,net_sales,orders,units,customers,aov');
    expect(csv.length).toBe(8);
    expect(csv.slice(1).reduce((n, l) => n + Number(l.split(',')[5]), 0)).toBe(week.totals.net_sales);

    // 90 days compared with the same days a year earlier.
    await page.getByTestId('range-90d').click();
    await expect.poll(() => kpis.getAttribute('data-range')).toBe(`${daysBefore(89)}..${today}`);
    await page.getByTestId('compare-select').selectOption('previous_year');
    await expect.poll(() => byTestId(page, 'sales-kpi-orders-compare')).toMatch(/较去年同期 [+-]?\d+\.\d%|上期无数据/);
    await page.getByTestId('compare-select').selectOption('previous_period');
    await page.getByTestId('range-7d').click();
    await expect.poll(() => kpis.getAttribute('data-range')).toBe(`${from7}..${today}`);

    // Switch to one store: the figures are that store's.
    const stores = (await ui.server.api('GET', '/v1/locations')).body.items.filter((l: any) => l.type === 'store');
    const byStore = await sales(`from=${from7}&to=${today}&group_by=location`);
    const store = stores.find((l: any) => byStore.rows.some((r: any) => r.key === l.id && r.orders > 0)) ?? stores[0];
    await page.getByTestId('store-filter').selectOption(store.id);
    const mine = await sales(`from=${from7}&to=${today}&location_id=${store.id}`);
    expect(mine.totals.net_sales).not.toBe(week.totals.net_sales);
    await expect.poll(() => byTestId(page, 'sales-kpi-net_sales')).toBe(yuan(mine.totals.net_sales));
    expect(await byTestId(page, 'sales-kpi-orders')).toBe(mine.totals.orders.toLocaleString('en-US'));

    // A custom range, this store still selected.
    await page.getByTestId('range-custom').click();
    const from = daysBefore(20);
    const to = daysBefore(10);
    await page.getByTestId('range-from').fill(from);
    await page.getByTestId('range-to').fill(to);
    await expect.poll(() => kpis.getAttribute('data-range')).toBe(`${from}..${to}`);
    const custom = await sales(`from=${from}&to=${to}&location_id=${store.id}`);
    await expect.poll(() => byTestId(page, 'sales-kpi-net_sales')).toBe(yuan(custom.totals.net_sales));
    await page.screenshot({ path: path.join(SHOTS, 'santong-dashboard-sales.png'), fullPage: true });

    // In English.
    await page.getByTestId('lang-en').click();
    await expect.poll(() => kpis.locator('.kpi-label').first().textContent()).toContain('Net sales');
    await page.getByTestId('lang-zh-CN').click();
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('lists orders with their detail and plots the stores', async () => {
    const page = await signedInPage();

    // Orders: the newest order first; its detail has the lines the API has.
    await page.getByTestId('nav-orders').click();
    const rows = page.getByTestId('order-row');
    await rows.first().waitFor();
    const first = (await ui.server.api('GET', '/v1/orders?limit=1')).body.items[0];
    expect(await rows.first().textContent()).toContain(first.id);
    expect(await rows.count()).toBe(50);

    await rows.first().click();
    await page.waitForURL((u) => u.hash === `#/orders/${first.id}`);
    expect(await byTestId(page, 'order-detail-id')).toBe(first.id);
    const detail = (await ui.server.api('GET', `/v1/orders/${first.id}`)).body;
    expect(detail.lines.length).toBeGreaterThan(0);
    await page.getByTestId('order-line').first().waitFor();
    expect(await page.getByTestId('order-line').count()).toBe(detail.lines.length);
    expect(await page.getByTestId('order-line').first().textContent()).toContain(detail.lines[0].sku);
    expect(await byTestId(page, 'order-detail-total')).toBe(yuan(detail.totals.total));

    // "Load more" appends the next page.
    await page.getByTestId('load-more').click();
    await expect.poll(() => rows.count()).toBe(100);

    // The channel filter asks the API for that channel only.
    await page.getByTestId('filter-channel').selectOption('pos');
    const firstPos = (await ui.server.api('GET', '/v1/orders?limit=1&channel=pos')).body.items[0];
    await expect.poll(async () => (await rows.first().textContent()) ?? '').toContain(firstPos.id);
    expect(await rows.first().textContent()).toContain('门店 POS');

    // Stores: every location plotted, with a circle for each local delivery radius.
    await page.getByTestId('nav-stores').click();
    const map = page.getByTestId('store-map');
    await map.waitFor();
    const locations = (await ui.server.api('GET', '/v1/locations')).body.items;
    expect(locations.length).toBeGreaterThan(1);
    expect(await map.locator('[data-testid^="site-"]').count()).toBe(locations.length);
    const withRadius = locations.filter((l: any) => l.capabilities.local_delivery_km);
    expect(withRadius.length).toBeGreaterThan(0);
    expect(await map.locator('ellipse.radius').count()).toBe(withRadius.length);
    expect(await page.getByTestId('stores-table').locator('tbody tr').count()).toBe(locations.length);
    await page.screenshot({ path: path.join(SHOTS, 'santong-stores.png'), fullPage: true });
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('creates, shows once and revokes an API key; other roles are told they may not', async () => {
    const page = await signedInPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('api-keys-table').waitFor();

    // A store staff key needs a location: the form says so before asking the API.
    await page.getByTestId('new-key-name').fill('Jing an till');
    await page.getByTestId('new-key-role').selectOption('store_staff');
    await page.getByTestId('new-key-submit').click();
    expect(await byTestId(page, 'new-key-error')).toBe('门店员工密钥必须绑定一个门店');
    await page.getByTestId('new-key-role').selectOption('analyst');
    await page.getByTestId('new-key-submit').click();
    const secret = await byTestId(page, 'new-key-value');
    expect(secret).toMatch(/^st_/);
    const keys = (await ui.server.api('GET', '/v1/api-keys')).body.items;
    const created = keys.find((k: any) => k.name === 'Jing an till');
    expect(created?.role).toBe('analyst');
    await expect.poll(() => page.getByTestId('api-key-row').count()).toBe(keys.length);

    // The new key works and its role is shown what it may not do.
    const analyst = await ui.context.newPage();
    await analyst.goto(ui.server.url + '/#/settings');
    await analyst.evaluate(`localStorage.setItem('santong.apiKey', ${JSON.stringify(secret)})`);
    await analyst.reload();
    expect(await byTestId(analyst, 'forbidden')).toBe('您的角色无权管理 API 密钥（仅管理员可用）');
    await analyst.getByTestId('nav-customers').click();
    await analyst.getByTestId('customer-row').first().waitFor();
    expect(await analyst.getByTestId('customer-row').first().textContent()).toContain('无权查看');

    // Revoked, the key no longer signs in: the analyst's console goes back to the sign-in page.
    await page.getByTestId(`revoke-${created.id}`).click();
    await expect
      .poll(
        async () =>
          (await ui.server.api('GET', '/v1/api-keys')).body.items.find((k: any) => k.id === created.id)?.revoked_at,
      )
      .not.toBeNull();
    await analyst.getByTestId('nav-orders').click();
    expect(await byTestId(analyst, 'signin-error')).toBe('您的密钥已失效，请重新登录');
    await analyst.close();
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
