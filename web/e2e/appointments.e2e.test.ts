import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * A store's appointment calendar and its footfall in a real (headless) Chromium against a real
 * server with the small demo retailer: book a service (not outside the store's opening hours), see
 * it in the day view, complete it; edit the store's services; the scorecard shows footfall
 * conversion and the by-hour chart.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('appointments');
});
afterAll(async () => ui?.close());

const todayIn = (timezone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
const plusDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
const percent = (r: number) => `${(r * 100).toFixed(1)}%`;

describe('appointments and footfall in the console', () => {
  it('books a service at a store, sees it in the day view and completes it', async () => {
    const tz = (await ui.ok('GET', '/v1/analytics/dashboard')).timezone as string;
    const stores = (await ui.ok('GET', '/v1/locations')).items;
    const store = (stores as { id: string; type: string }[]).find((l) => l.type === 'store')!;
    const services = (await ui.ok('GET', `/v1/locations/${store.id}/services`)).services;
    expect(services.map((s: { code: string }) => s.code)).toContain('ac_clean');
    const day = plusDays(todayIn(tz), 2);

    const page = await ui.signedIn(ui.server.adminKey);
    await page.goto(`${ui.server.url}/#/stores/${store.id}`);
    await page.getByTestId('scorecard-appointments').click();
    await page.getByTestId('booking-form').waitFor();
    await page.getByTestId('booking-phone').fill('13912345678');
    await page.getByTestId('booking-service').selectOption('ac_clean');
    await page.getByTestId('booking-date').fill(day);
    // before the store opens (09:00): refused, in words
    await page.getByTestId('booking-time').fill('08:15');
    await page.getByTestId('booking-submit').click();
    expect(await text(page.getByTestId('booking-form').getByTestId('action-error'))).toContain('这个时间门店不营业');
    await page.getByTestId('booking-time').fill('18:30'); // after the demo's slots, ending before closing: free
    await page.getByTestId('booking-submit').click();
    expect(await text(page.getByTestId('booking-done'))).toBe('已预约：空调清洗 18:30');

    const cal = await ui.ok('GET', `/v1/locations/${store.id}/appointments?from=${day}`);
    const mine = cal.items.find(
      (a: { starts_at: string; service: string }) => a.service === 'ac_clean' && a.starts_at.endsWith('T10:30:00.000Z'),
    );
    expect(mine).toBeDefined();
    const row = page.getByTestId(`appt-${mine.id}`);
    expect(await text(row)).toContain('18:30–20:00');
    expect(await text(row.getByTestId('appt-status'))).toBe('已预约');
    await page.screenshot({ path: path.join(SHOTS, 'appt-day-zh.png'), fullPage: true });
    await row.getByTestId('appt-complete').click();
    await page.locator(`[data-testid="appt-${mine.id}"][data-status="completed"]`).waitFor();
    expect(await text(row.getByTestId('appt-status'))).toBe('已完成');
    expect((await ui.ok('GET', `/v1/appointments/${mine.id}`)).status).toBe('completed');

    await page.getByTestId('appt-view-7').click();
    await page.getByTestId('appt-week').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'appt-week-zh.png'), fullPage: true });
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it("edits a store's services: one removed, a capacity changed, one added; the booking form offers them", async () => {
    const stores = (await ui.ok('GET', '/v1/locations')).items as { id: string; type: string }[];
    const store = stores.filter((l) => l.type === 'store')[1]!;
    const page = await ui.signedIn(ui.server.adminKey);
    await page.goto(`${ui.server.url}/#/stores/${store.id}/appointments`);
    const editor = page.getByTestId('services-editor');
    await editor.waitFor();
    // the demo's three, by code: 空调清洗 (ac_clean), 家电上门安装, 手机贴膜与检测
    expect(await editor.getByTestId('service-name').count()).toBe(3);
    await page.getByTestId('service-row-2').getByTestId('service-remove').click();
    await page.getByTestId('service-row-0').getByTestId('service-capacity').fill('4');
    await page.getByTestId('service-add').click();
    const added = page.getByTestId('service-row-2');
    await page.getByTestId('services-save').click(); // the new row has no name yet
    expect(await text(editor.locator('.form-error'))).toBe('请填写服务名称；时长 5–1440 分钟，同时可约 1–1000 位');
    await added.getByTestId('service-name').fill('冰箱除味');
    await added.getByTestId('service-minutes').fill('45');
    await added.getByTestId('service-capacity').fill('3');
    await page.getByTestId('services-save').click();
    await page.getByTestId('services-saved').waitFor();

    const saved = (await ui.ok('GET', `/v1/locations/${store.id}/services`)).services as {
      code: string;
      name: string;
      duration_minutes: number;
      capacity: number;
    }[];
    expect(saved.map((s) => [s.name, s.duration_minutes, s.capacity]).sort()).toEqual(
      [
        ['冰箱除味', 45, 3],
        ['家电上门安装', 120, 1],
        ['空调清洗', 90, 4],
      ].sort(),
    );
    await expect
      .poll(() => page.getByTestId('booking-service').locator('option').allTextContents())
      .toContain('冰箱除味（45 分钟）');
    await page.screenshot({ path: path.join(SHOTS, 'appt-services-zh.png'), fullPage: true });
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('the scorecard shows footfall conversion and the by-hour chart', async () => {
    const tz = (await ui.ok('GET', '/v1/analytics/dashboard')).timezone as string;
    const to = todayIn(tz);
    const from = plusDays(to, -29);
    const league = await ui.ok('GET', `/v1/analytics/stores?from=${from}&to=${to}`);
    const store = league.stores.find((s: { footfall: number }) => s.footfall > 0);
    const card = await ui.ok('GET', `/v1/stores/${store.location_id}/scorecard?from=${from}&to=${to}`);
    expect(card.footfall_conversion).toBeGreaterThan(0);
    const page = await ui.signedIn(ui.server.adminKey);
    await page.goto(`${ui.server.url}/#/stores/${store.location_id}`);
    expect(await text(page.getByTestId('score-footfall'))).toBe(percent(card.footfall_conversion));
    const chart = page.getByTestId('footfall-chart');
    await chart.locator('svg').first().waitFor();
    const visitors = card.footfall_by_hour.reduce((n: number, h: { footfall: number }) => n + h.footfall, 0);
    expect(await chart.getAttribute('data-visitors')).toBe(String(visitors));
    expect(await text(page.getByTestId('scorecard'))).not.toMatch(/[A-Za-z_]/);
    await page.screenshot({ path: path.join(SHOTS, 'appt-scorecard-zh.png'), fullPage: true });
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
