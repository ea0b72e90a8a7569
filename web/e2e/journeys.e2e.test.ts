import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeysZhCN as zh } from '../src/i18n/journeys.zh-CN';
import { JOURNEY_TEMPLATES, journeyFromTemplate } from '../src/journeys';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Journeys in the console, in a real (headless) Chromium against a real server with the small demo
 * retailer (two months of history: customers who have not bought or visited for 30 days, some with
 * marketing consent): a marketer builds the win-back journey from its template, picks the coupon,
 * saves and activates it; the journey runs (activation evaluates the history already there) and
 * its report shows who entered, the funnel per step and the goal treated vs holdout.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

const DAY = 86_400_000;

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('journeys');
});
afterAll(async () => ui?.close());

describe('journeys in the console', () => {
  it('creates the win-back journey from its template, activates it and shows its report', async () => {
    const coupon = await ui.ok('POST', '/v1/coupon-templates', {
      name: '老客回归券 满100减20',
      kind: 'threshold',
      value: 2000,
      min_spend: 10000,
      channels: ['online', 'store'],
      valid_from: new Date(Date.now() - DAY).toISOString(),
      valid_to: new Date(Date.now() + 30 * DAY).toISOString(),
      budget: 100000,
      per_customer_limit: 1,
      stackable: true,
    });
    const marketerKey = (await ui.ok('POST', '/v1/api-keys', { name: 'e2e journeys', role: 'marketer' })).key;
    const page = await ui.signedIn(marketerKey);
    await page.getByTestId('nav-marketing').click();
    await page.getByTestId('tab-journeys').click();
    await page.waitForURL((u) => u.hash.startsWith('#/marketing/journeys'));
    await page.getByTestId('journey-list').waitFor();
    await page.getByTestId('journey-new').click();

    // The other flows' templates: a wait then a branch on "ordered that SKU since entry"; an A/B split.
    await page.getByTestId('journey-template-viewed_not_bought').click();
    const builder = page.getByTestId('journey-builder');
    const kinds = (testId: string) =>
      builder
        .getByTestId(testId)
        .locator(':scope > ol > [data-testid="journey-step"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(await kinds('journey-steps')).toEqual(['wait', 'branch']);
    expect(await kinds('step-bought-else')).toEqual(['issue_coupon', 'send_message']);
    expect(await builder.getByTestId('step-bought-if-since-entry').isChecked()).toBe(true);
    expect(await builder.getByTestId('step-coupon-sku-from-trigger').isChecked()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-viewed.png'), fullPage: true });
    // 到店券: pick the nearest store within 3 km that has the viewed product, a coupon only usable there, a message naming it.
    await page.getByTestId('journey-template-to_store').click();
    expect(await kinds('journey-steps')).toEqual(['pick_store', 'issue_coupon', 'send_message']);
    expect(await builder.getByTestId('step-store-km').inputValue()).toBe('3');
    expect(await builder.getByTestId('step-store-sku-source').inputValue()).toBe('trigger');
    expect(await builder.getByTestId('step-coupon-at-picked-store').isChecked()).toBe(true);
    expect(await builder.getByTestId('step-message-text').inputValue()).toContain('{{store}}');
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-to-store.png'), fullPage: true });
    await page.getByTestId('journey-template-ab_coupon').click();
    expect(await builder.getByTestId('journey-variant').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-ab.png'), fullPage: true });

    // The win-back template: inactive 30 days → a coupon and an SMS, goal an order within 14 days, 10 % holdout.
    await page.getByTestId('journey-template-win_back').click();
    expect(await builder.getByTestId('journey-name').inputValue()).toBe('老客回归');
    expect(await builder.getByTestId('journey-trigger-kind').inputValue()).toBe('inactive');
    expect(await builder.getByTestId('journey-trigger-days').inputValue()).toBe('30');
    expect(await kinds('journey-steps')).toEqual(['issue_coupon', 'send_message']);
    expect(await builder.getByTestId('step-message-text').inputValue()).toContain('{{coupon}}');
    await builder.getByTestId('step-coupon-template').selectOption(coupon.id);
    expect(await builder.getByTestId('journey-holdout').inputValue()).toBe('10');
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-builder.png'), fullPage: true });

    await builder.getByTestId('journey-save').click();
    const detail = page.getByTestId('journey-detail');
    await detail.waitFor();
    const id = page.url().split('/').pop()!;
    expect(await detail.getAttribute('data-state')).toBe('draft');
    const saved = await ui.ok('GET', `/v1/journeys/${id}`);
    expect(saved.trigger).toEqual({ inactive: { days: 30 } });
    expect(saved.steps[0].issue_coupon.template_id).toBe(coupon.id);

    // Customers with no sale and no store visit for 30 days; some of them consent to marketing SMS.
    const inactive = await ui.ok(
      'POST',
      '/v1/segments/preview',
      {
        rule: {
          all: [
            { not: { ordered: { count: { gte: 1 }, within_days: 30 } } },
            { not: { visited_store: { within_days: 30 } } },
          ],
        },
      },
      200,
    );
    expect(inactive.size).toBeGreaterThan(0);
    const consenting: string[] = inactive.sample.slice(0, 10);
    for (const c of consenting)
      await ui.ok(
        'PUT',
        `/v1/customers/${c}/consents/marketing_sms`,
        { granted: true, channel: 'app', source: 'e2e' },
        200,
      );

    await page.getByTestId('journey-activate').click();
    await expect.poll(() => detail.getAttribute('data-state')).toBe('active');

    // Activation enrols the customers already inactive; the report (refreshed every 5 s) counts them.
    const entered = async () => Number((await text(page.getByTestId('journey-entered'))).replace(/,/g, ''));
    await expect.poll(entered, { timeout: 60_000, interval: 1000 }).toBeGreaterThan(0);
    const report = await ui.ok('GET', `/v1/journeys/${id}/report`);
    expect(report.entered).toBeGreaterThan(0);
    expect(report.entered).toBe(await entered());
    // The funnel names the two steps; treated and holdout split the entrants.
    const funnel = page.getByTestId('journey-funnel-step');
    expect(await funnel.evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual([
      'coupon',
      'message',
    ]);
    expect(report.goal.treated.customers + report.goal.holdout.customers).toBe(report.entered);
    await expect
      .poll(async () => (await ui.ok('GET', `/v1/journeys/${id}/report`)).coupons.issued, { timeout: 60_000 })
      .toBeGreaterThan(0);
    // The message log lists what the message step queued: each sent, or suppressed with its reason.
    const messages = async () => {
      const m = (await ui.ok('GET', `/v1/journeys/${id}/report`)).messages;
      return m.sent + m.delivered + m.failed + m.suppressed;
    };
    await expect.poll(messages, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByTestId('journey-message').first().waitFor({ timeout: 15_000 });
    // Those who consented (and are treated) get the SMS queued — sent, or held until quiet hours end
    // (or capped by the demo's own win-back journey) — never suppressed for want of consent.
    const log = (await ui.ok('GET', `/v1/messages?journey_id=${id}&limit=200`)).items as any[];
    const byConsent = (c: any) => consenting.includes(c.customer_id);
    expect(log.filter(byConsent).every((m) => m.status !== 'suppressed' || m.reason !== 'no_consent')).toBe(true);
    expect(log.filter(byConsent).length).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-report.png'), fullPage: true });
    // The same report in English.
    await page.getByTestId('lang-en').click();
    expect(await text(page.getByTestId('journey-head').locator('h2'))).toContain('Active');
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-report-en.png'), fullPage: true });
    await page.getByTestId('lang-zh-CN').click();

    // The list shows it active with its entrants.
    await page.getByTestId('tab-journeys').click();
    const row = page.locator(`[data-testid="journey-row"][data-journey="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('active');
    await expect
      .poll(async () => Number((await text(row.getByTestId('journey-row-entered'))).replace(/,/g, '')))
      .toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'santong-journey-list.png'), fullPage: true });

    await row.getByTestId('journey-link').click();
    await page.getByTestId('journey-pause').click();
    await expect.poll(() => page.getByTestId('journey-detail').getAttribute('data-state')).toBe('paused');
    expect(ui.pageErrors).toEqual([]);
  });

  it('offers the four flows as templates the API accepts', async () => {
    const coupons = (await ui.ok('GET', '/v1/coupon-templates?limit=200')).items;
    for (const which of JOURNEY_TEMPLATES) {
      const def = journeyFromTemplate(
        which,
        {
          name: zh[`journeys.template.${which}`],
          message: zh[`journeys.template.${which}.message`],
          messageB: zh['journeys.template.ab_coupon.messageB'],
        },
        coupons,
      );
      const r = await ui.server.api('POST', '/v1/journeys', def);
      expect([which, r.status, r.body.error ?? null]).toEqual([which, 201, null]);
      expect(r.body).toMatchObject({ state: 'draft', trigger: def.trigger, steps: def.steps });
    }
  });
});
