import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * A store's appointment calendar and its footfall in a real (headless) Chromium against a real
 * server with the small demo retailer: book a service, see it in the day view, complete it; the
 * scorecard shows footfall conversion and the by-hour chart.
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
    await page.getByTestId('booking-time').fill('08:15'); // before the demo's slots: free
    await page.getByTestId('booking-submit').click();
    expect(await text(page.getByTestId('booking-done'))).toBe('已预约：空调清洗 08:15');

    const cal = await ui.ok('GET', `/v1/locations/${store.id}/appointments?from=${day}`);
    const mine = cal.items.find(
      (a: { starts_at: string; service: string }) => a.service === 'ac_clean' && a.starts_at.endsWith('T00:15:00.000Z'),
    );
    expect(mine).toBeDefined();
    const row = page.getByTestId(`appt-${mine.id}`);
    expect(await text(row)).toContain('08:15–09:45');
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
