import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * 营销 in the console, in a real (headless) Chromium against a real server with the small demo
 * retailer: RFM after a run started from the page (the heat map holds the grid the API computed,
 * a segment opens its customers, the customer list filters by it), and a behavioural segment built
 * from conditions whose live size is the API's preview of the same rule, with a 422 shown at the
 * condition it names, saved, its member's profile (RFM, lifecycle, churn risk) and the customer
 * list narrowed to it.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('marketing');
});
afterAll(async () => ui?.close());

describe('marketing in the console', () => {
  it('runs RFM from the page and shows the heat map and the segments of that run', async () => {
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-marketing').click();
    await page.getByTestId('tab-rfm').click();
    await page.waitForURL((u) => u.hash === '#/marketing/rfm');

    await page.getByTestId('rfm-run-now').click();
    await page.locator('[data-testid="rfm-run-status"][data-status="done"]').waitFor({ timeout: 60_000 });

    // The heat map shows the latest done run's grid: 25 cells, each with the API's figures.
    const grid = await ui.ok('GET', '/v1/rfm/grid');
    const runs = await ui.ok('GET', '/v1/rfm/segments');
    expect(grid.run_id).toBe(runs.run_id);
    expect(grid.cells).toHaveLength(25);
    const heat = page.getByTestId('rfm-heatmap');
    await heat.waitFor();
    // the page reloads its figures once the run is done: wait until they are this run's
    await expect.poll(() => heat.getAttribute('data-run'), { timeout: 20_000 }).toBe(grid.run_id);
    expect(await heat.locator('[role="cell"]').count()).toBe(25);
    for (const c of grid.cells) {
      const cell = page.getByTestId(`rfm-cell-${c.r}${c.f}`);
      expect(Number(await cell.getAttribute('data-customers'))).toBe(c.customers);
      expect(Number(await cell.getAttribute('data-revenue'))).toBe(c.revenue);
    }
    const total = grid.cells.reduce((s: number, c: any) => s + c.customers, 0);
    expect(total).toBeGreaterThan(0);
    const busiest = grid.cells.reduce((a: any, c: any) => (c.customers > a.customers ? c : a));
    expect(await text(page.getByTestId(`rfm-cell-${busiest.r}${busiest.f}`))).toContain(
      busiest.customers.toLocaleString('en-US'),
    );

    // The segments table: every segment of the run in Chinese, with its count; a click opens its customers.
    const rows = page.getByTestId('rfm-segment-row');
    expect(await rows.count()).toBe(runs.items.length);
    const champions = runs.items.find((i: any) => i.segment === 'champions');
    const row = page.locator('[data-testid="rfm-segment-row"][data-segment="champions"]');
    expect(await text(row)).toContain('冠军客户');
    expect(Number(await row.getAttribute('data-customers'))).toBe(champions.customers);
    await page.screenshot({ path: path.join(SHOTS, 'santong-marketing-rfm.png'), fullPage: true });

    await row.locator('a').click();
    await page.waitForURL((u) => u.hash === '#/marketing/rfm/champions');
    const members = page.getByTestId('rfm-member');
    await members.first().waitFor();
    const firstPage = await ui.ok('GET', '/v1/rfm/customers?segment=champions&limit=50');
    expect(await members.count()).toBe(firstPage.items.length);
    expect(await members.first().getAttribute('data-customer')).toBe(firstPage.items[0].customer_id);

    // The customer list narrowed to the RFM segment shows the same customers with their year's orders and spend.
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-segment-filter').selectOption('rfm:champions');
    const listed = page.getByTestId('customer-row');
    await expect.poll(() => listed.count(), { timeout: 20_000 }).toBe(firstPage.items.length);
    expect(await listed.first().getAttribute('data-customer')).toBe(firstPage.items[0].customer_id);
    expect(await text(listed.first())).toContain(yuan(firstPage.items[0].monetary));
    expect(ui.pageErrors).toEqual([]);
  });

  it('builds a behavioural segment with its live size, points at a faulty condition, saves it and opens a member', async () => {
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-marketing').click();
    await page.getByTestId('segment-list').waitFor();
    await page.getByTestId('segment-new').click();
    await page.waitForURL((u) => u.hash === '#/marketing/segments/new');
    const leaf = page.getByTestId('rule-leaf').first();
    await leaf.waitFor();
    expect(await leaf.getAttribute('data-kind')).toBe('ordered');

    // Bought at least twice in the last 90 days …
    await page.getByTestId('rule-0-days').fill('90');
    await page.getByTestId('rule-0-count-value').fill('2');
    // … and viewed a product in the last 30 days (an event condition).
    await page.getByTestId('rule-add-leaf').click();
    await page.getByTestId('rule-1-kind').selectOption('event');
    await page.getByTestId('rule-1-days').fill('30');

    const rule = {
      all: [
        { ordered: { count: { gte: 2 }, within_days: 90 } },
        { event: { type: 'product_viewed', count: { gte: 1 }, within_days: 30 } },
      ],
    };
    const expected = await ui.ok('POST', '/v1/segments/preview', { rule }, 200);
    expect(expected.size).toBeGreaterThan(0);
    const size = page.locator('[data-testid="rule-preview-size"][data-ready="yes"]');
    await expect.poll(() => text(size), { timeout: 20_000 }).toBe(expected.size.toLocaleString('en-US'));
    await page.screenshot({ path: path.join(SHOTS, 'santong-marketing-builder.png'), fullPage: true });

    // 0 days is refused (422 naming rule.all[1].event.within_days): the message sits at that condition.
    await page.getByTestId('rule-1-days').fill('0');
    const fault = page.getByTestId('rule-fault');
    await fault.waitFor();
    expect(await fault.getAttribute('data-path')).toBe('rule.all[1]');
    expect(await fault.getAttribute('data-field')).toBe('rule.all[1].event.within_days');
    expect(await text(fault)).toBe('天数：请填写 1 到 36500 之间的整数');
    expect(await page.getByTestId('rule-leaf').nth(1).getAttribute('class')).toContain('has-error');
    await page.screenshot({ path: path.join(SHOTS, 'santong-marketing-builder-error.png'), fullPage: true });
    await page.getByTestId('rule-1-days').fill('30');
    await fault.waitFor({ state: 'detached' });
    await expect.poll(() => text(size), { timeout: 20_000 }).toBe(expected.size.toLocaleString('en-US'));

    // Saved under a name: the segment keeps the rule as built and counts the same people.
    const name = `E2E 近期复购且浏览 ${Date.now()}`;
    await page.getByTestId('saved-name').fill(name);
    await page.getByTestId('saved-submit').click();
    const ok = page.getByTestId('saved-ok');
    await ok.waitFor();
    const id = (await ok.getAttribute('data-id'))!;
    await page.waitForURL((u) => u.hash === `#/marketing/segments/${id}`);
    const saved = await ui.ok('GET', `/v1/segments/${id}`);
    expect(saved).toMatchObject({ name, rule, size: expected.size });

    // Its members (ids), as the API pages them; one opens the profile.
    const members = await ui.ok('GET', `/v1/segments/${id}/members?limit=50`);
    expect(members.items).toHaveLength(Math.min(50, expected.size));
    if (expected.size <= 20)
      expect(members.items.map((m: any) => m.customer_id).sort()).toEqual([...expected.sample].sort());
    const rows = page.getByTestId('segment-member');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(members.items.length);
    const member = await rows.first().getAttribute('data-customer');
    expect(member).toBe(members.items[0].customer_id);

    // The list shows it with its size.
    await page.getByTestId('tab-segments').click();
    const listed = page.locator(`[data-testid="segment-row"][data-id="${id}"]`);
    expect(await text(listed.getByTestId('segment-size'))).toBe(expected.size.toLocaleString('en-US'));
    await listed.locator('a').click();
    await page.waitForURL((u) => u.hash === `#/marketing/segments/${id}`);
    await page.getByTestId('segment-member').first().click();
    await page.waitForURL((u) => u.hash === `#/customers/${member}`);
    expect(await page.getByTestId('customer-profile').getAttribute('data-customer')).toBe(member);

    // The profile's marketing view: the RFM segment and lifecycle of the latest run, churn risk from CLV, as the API has them.
    const profile = await ui.ok('GET', `/v1/customers/${member}`);
    const view = page.getByTestId('profile-marketing');
    await view.waitFor();
    if (profile.rfm) {
      expect(await page.getByTestId('profile-rfm').getAttribute('data-segment')).toBe(profile.rfm.segment);
      expect(await page.getByTestId('profile-lifecycle').getAttribute('data-stage')).toBe(profile.rfm.lifecycle);
    } else await page.getByTestId('profile-rfm-none').waitFor();
    if (profile.clv) {
      expect(Number(await page.getByTestId('profile-churn-risk').getAttribute('data-value'))).toBe(
        profile.clv.churn_risk,
      );
      expect(await text(page.getByTestId('profile-expected-value'))).toBe(yuan(profile.clv.expected_value));
    } else await page.getByTestId('profile-clv-none').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'santong-marketing-profile.png'), fullPage: true });

    // The customer list narrowed to the saved segment lists its members.
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-segment-filter').selectOption(`saved:${id}`);
    const listed2 = page.getByTestId('customer-row');
    await expect.poll(() => listed2.count(), { timeout: 20_000 }).toBe(members.items.length);
    expect(await listed2.first().getAttribute('data-customer')).toBe(members.items[0].customer_id);
    expect(ui.pageErrors).toEqual([]);
  });

  it('lists the computed tags with their presets and opens one in the builder with its live size', async () => {
    const tags: any[] = (await ui.ok('GET', '/v1/tags')).items;
    const preset = tags.find((x) => x.preset && x.name === '价格敏感');
    expect(preset).toBeTruthy();
    const page = await ui.signedIn(ui.server.adminKey);
    await page.goto(ui.server.url + '/#/marketing/tags');
    const rows = page.getByTestId('tag-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(tags.length);
    const row = page.locator(`[data-testid="tag-row"][data-id="${preset.id}"]`);
    expect(await text(row.getByTestId('tag-size'))).toBe(preset.size.toLocaleString('en-US'));
    await page.screenshot({ path: path.join(SHOTS, 'santong-marketing-tags.png'), fullPage: true });

    // The preset's rule in the builder: one "bought" condition with its coupon share shown in per cent.
    await row.locator('a').click();
    await page.waitForURL((u) => u.hash === `#/marketing/tags/${encodeURIComponent(preset.name)}`);
    expect(await page.getByTestId('saved-name').inputValue()).toBe(preset.name);
    const leaf = page.getByTestId('rule-leaf');
    await leaf.first().waitFor();
    expect(await leaf.count()).toBe(1);
    expect(await leaf.first().getAttribute('data-kind')).toBe('ordered');
    expect(await page.getByTestId('rule-0-coupon_share-value').inputValue()).toBe('60');
    const expected = await ui.ok('POST', '/v1/segments/preview', { rule: preset.rule }, 200);
    const size = page.locator('[data-testid="rule-preview-size"][data-ready="yes"]');
    await expect.poll(() => text(size), { timeout: 20_000 }).toBe(expected.size.toLocaleString('en-US'));
    await page.screenshot({ path: path.join(SHOTS, 'santong-marketing-tag-editor.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });
});
