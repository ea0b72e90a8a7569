import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * The people screens of the console in a real (headless) Chromium against a real server with the
 * small demo retailer: one person's app and store activity in one timeline with per-channel figures,
 * a One ID merge undone from the console, support's audited reveal, consent, tags and the audit log.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

/** The test's person: a mobile number no demo customer has (theirs are +86 1x 0… to 01…). */
const PHONE = '13988776655';
const PHONE_E164 = '+8613988776655';
const PHONE_MASKED = '139****6655';

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('people');
});
afterAll(async () => ui?.close());

/** The customer the test builds up: found by phone in the console, with activity in the app and at a store. */
let customerId = '';
let appOrder: any;
let posOrder: any;

describe('people in the console', () => {
  it("shows one person's app and store activity in one timeline, and undoes a wrong merge", async () => {
    // A SKU sold both in the app and at the till, with stock at a store that offers pickup.
    const locations: any[] = (await ui.ok('GET', '/v1/locations')).items;
    const pickupStores = new Set(locations.filter((l) => l.type !== 'dc' && l.capabilities.pickup).map((l) => l.id));
    let chosen: { sku: string; store: string } | null = null;
    for (const p of await allProducts(ui)) {
      if (!p.channels.includes('app') || !p.channels.includes('pos')) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find(
        (l: any) => pickupStores.has(l.location_id) && l.online_available >= 1 && l.on_hand >= 2,
      );
      if (level) {
        chosen = { sku: p.sku, store: level.location_id };
        break;
      }
    }
    expect(chosen).not.toBeNull();
    const { sku, store } = chosen!;

    // The app identifies the person by phone, sends a product view, and places a pickup order it pays.
    const identified = await ui.ok(
      'POST',
      '/v1/identify',
      { identifiers: [{ type: 'phone', value: PHONE }], channel: 'app' },
      200,
    );
    expect(identified.created).toBe(true);
    customerId = identified.customer_id;
    const viewedAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const events = await ui.ok(
      'POST',
      '/v1/events',
      {
        events: [
          {
            event_id: `e2e-people-view-${Date.now()}`,
            type: 'product_viewed',
            occurred_at: viewedAt,
            channel: 'app',
            customer_id: customerId,
            properties: { sku },
          },
        ],
      },
      200,
    );
    expect(events).toMatchObject({ accepted: 1, rejected: [] });
    appOrder = await ui.ok('POST', '/v1/orders', {
      channel: 'app',
      customer: { type: 'phone', value: PHONE },
      lines: [{ sku, qty: 1 }],
      fulfillment: { type: 'pickup', location_id: store },
    });
    expect(appOrder.customer_id).toBe(customerId);
    await ui.ok('POST', `/v1/orders/${appOrder.id}/pay`, { payment_ref: 'e2e-people-pay' }, 200);
    // The same person buys at the till of that store.
    posOrder = await ui.ok('POST', '/v1/orders', {
      channel: 'pos',
      customer: { type: 'phone', value: PHONE },
      lines: [{ sku, qty: 2 }],
      fulfillment: { type: 'in_store', location_id: store },
    });
    expect(posOrder).toMatchObject({ customer_id: customerId, status: 'completed' });

    const profile = await ui.ok('GET', `/v1/customers/${customerId}`);
    const byChannel = Object.fromEntries(profile.stats.by_channel.map((b: any) => [b.channel, b]));
    expect(byChannel.app).toMatchObject({ orders: 1, spend: appOrder.totals.total });
    expect(byChannel.pos).toMatchObject({ orders: 1, spend: posOrder.totals.total });

    // The admin finds the person by phone.
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-customers').click();
    await page.getByTestId('customer-row').first().waitFor();
    await page.getByTestId('customer-search-input').fill(PHONE);
    await page.getByTestId('customer-search-submit').click();
    await expect
      .poll(() =>
        page.getByTestId('customer-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer'))),
      )
      .toEqual([customerId]);
    const row = page.getByTestId('customer-row').first();
    expect(await row.textContent()).toContain(PHONE_MASKED);
    expect(await row.textContent()).toContain('App');
    expect(await text(page.getByTestId('customer-search-summary'))).toContain(PHONE);
    await page.screenshot({ path: path.join(SHOTS, 'santong-customers-search.png'), fullPage: true });

    // Its profile: both channels in one timeline, each moment with its channel.
    await row.click();
    await page.waitForURL((u) => u.hash === `#/customers/${customerId}`);
    expect(await text(page.getByTestId('profile-id'))).toBe(customerId);
    const timeline = page.getByTestId('customer-timeline');
    const items = timeline.getByTestId('timeline-item');
    const posItem = timeline.locator(`[data-testid="timeline-item"][data-kind="order"][data-channel="pos"]`);
    const appItem = timeline.locator(`[data-testid="timeline-item"][data-kind="order"][data-channel="app"]`);
    const viewItem = timeline.locator(
      `[data-testid="timeline-item"][data-kind="event"][data-channel="app"][data-type="product_viewed"]`,
    );
    expect(await text(posItem.getByTestId('timeline-channel'))).toBe('门店 POS');
    expect(await text(appItem.getByTestId('timeline-channel'))).toBe('App');
    expect(await text(viewItem.getByTestId('timeline-channel'))).toBe('App');
    expect(await posItem.textContent()).toContain(posOrder.id);
    expect(await posItem.textContent()).toContain(yuan(posOrder.totals.total));
    expect(await appItem.textContent()).toContain(appOrder.id);
    expect(await viewItem.textContent()).toContain('浏览商品');
    expect(await viewItem.textContent()).toContain(sku);
    // Newest first, as the API has them.
    const api = await ui.ok('GET', `/v1/customers/${customerId}/timeline`);
    const shownKinds = await items.evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-kind')}:${e.getAttribute('data-channel')}`),
    );
    expect(shownKinds).toEqual(api.items.map((i: any) => `${i.kind}:${i.channel ?? ''}`));
    expect(shownKinds.slice(0, 3)).toEqual(['order:pos', 'order:app', 'event:app']);

    // Per-channel figures, in yuan.
    expect(await text(page.getByTestId('channel-stats-app').getByTestId('channel-orders'))).toBe('1');
    expect(await text(page.getByTestId('channel-stats-app').getByTestId('channel-spend'))).toBe(
      yuan(appOrder.totals.total),
    );
    expect(await text(page.getByTestId('channel-stats-pos').getByTestId('channel-orders'))).toBe('1');
    expect(await text(page.getByTestId('channel-stats-pos').getByTestId('channel-spend'))).toBe(
      yuan(posOrder.totals.total),
    );
    expect(await text(page.getByTestId('stat-orders'))).toBe('2');
    expect(await text(page.getByTestId('stat-spend'))).toBe(yuan(appOrder.totals.total + posOrder.totals.total));
    expect(await text(page.getByTestId('identities-table'))).toContain(PHONE_E164);

    // The Orders chip keeps the orders only; All brings the event back.
    await timeline.getByTestId('timeline-filter-order').click();
    await expect
      .poll(() => items.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))))
      .toEqual(['order', 'order']);
    await timeline.getByTestId('timeline-filter-all').click();
    await viewItem.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'santong-customer-profile.png'), fullPage: true });

    // An order of the timeline opens its detail.
    await appItem.getByTestId('timeline-order-link').click();
    await page.waitForURL((u) => u.hash === `#/orders/${appOrder.id}`);
    expect(await text(page.getByTestId('order-detail-id'))).toBe(appOrder.id);

    // A till links the phone with a member card of another, older customer: One ID merges them.
    let other: { id: string; card: string } | null = null;
    const demo = (await ui.ok('GET', '/v1/customers?limit=100')).items.filter(
      (c: any) => c.id !== customerId && c.identifiers.some((i: any) => i.type === 'member_card'),
    );
    for (const c of demo) {
      const p = await ui.ok('GET', `/v1/customers/${c.id}`);
      const card = p.identifiers.find((i: any) => i.type === 'member_card');
      if (card?.value && p.merges.length === 0) {
        other = { id: p.id, card: card.value };
        break;
      }
    }
    expect(other).not.toBeNull();
    const linked = await ui.ok(
      'POST',
      '/v1/identify',
      {
        identifiers: [
          { type: 'phone', value: PHONE },
          { type: 'member_card', value: other!.card },
        ],
        channel: 'pos',
      },
      200,
    );
    expect(linked.customer_id).toBe(other!.id);
    expect(linked.merged).toHaveLength(1);
    const merge = linked.merged[0];
    expect(merge).toMatchObject({ from: customerId, into: other!.id });

    // The person's old link now opens the survivor, says so, and lists the merge.
    await page.goto(`${ui.server.url}/#/customers/${customerId}`);
    await page.reload();
    const notice = page.getByTestId('merged-notice');
    expect(await text(notice)).toContain(other!.id);
    expect(await text(page.getByTestId('profile-id'))).toBe(other!.id);
    const mergeRow = page.locator(`[data-testid="merge-row"][data-merge="${merge.merge_id}"]`);
    expect(await mergeRow.getAttribute('data-undone')).toBe('false');
    expect(await text(mergeRow.getByTestId('merge-state'))).toBe('生效中');
    expect(await mergeRow.textContent()).toContain('会员卡、手机');
    // The survivor's timeline has the merge, and the merged person's store order with it.
    await timeline.locator('[data-testid="timeline-item"][data-kind="merge"][data-type="merged"]').waitFor();
    await timeline.getByTestId('timeline-order-link').filter({ hasText: posOrder.id }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'santong-customer-merged.png'), fullPage: true });

    // Unmerged from the console, after a confirmation.
    await mergeRow.getByTestId('unmerge-open').click();
    const dialog = page.getByTestId('unmerge-dialog');
    expect(await dialog.textContent()).toContain(customerId);
    await page.screenshot({ path: path.join(SHOTS, 'santong-unmerge-dialog.png') });
    await dialog.getByTestId('unmerge-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    // The page refreshes: the id stands alone again, and the merge is marked undone.
    await expect.poll(() => page.getByTestId('profile-id').textContent()).toBe(customerId);
    expect(await page.getByTestId('merged-notice').count()).toBe(0);
    const undone = page.locator(`[data-testid="merge-row"][data-merge="${merge.merge_id}"]`);
    await expect.poll(() => undone.getAttribute('data-undone')).toBe('true');
    expect(await text(undone.getByTestId('merge-state'))).toBe('已拆分');
    await undone.getByTestId('merge-undone-at').waitFor();
    expect(await undone.getByTestId('unmerge-open').count()).toBe(0);
    await timeline.locator('[data-testid="timeline-item"][data-kind="merge"][data-type="unmerged"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'santong-customer-unmerged.png'), fullPage: true });

    // The same in English.
    await page.getByTestId('lang-en').click();
    await expect.poll(() => posItem.getByTestId('timeline-channel').textContent()).toBe('Store POS');
    expect(await text(undone.getByTestId('merge-state'))).toBe('Undone');
    expect(await viewItem.textContent()).toContain('Viewed a product');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SHOTS, 'santong-customer-profile-en.png'), fullPage: true });

    // And the API agrees: two people again, the merge undone, the unmerge audited.
    const after = await ui.ok('GET', `/v1/customers/${customerId}`);
    expect(after.id).toBe(customerId);
    expect(after.merged_into).toBeUndefined();
    expect(after.merges.find((m: any) => m.merge_id === merge.merge_id).undone_at).not.toBeNull();
    expect(after.stats.orders).toBe(2);
    const survivor = await ui.ok('GET', `/v1/customers/${other!.id}`);
    expect(survivor.members).not.toContain(customerId);
    const audit = (await ui.ok('GET', `/v1/audit?action=customer.unmerge&subject=${other!.id}`)).items;
    expect(audit.some((e: any) => e.details.merge_id === merge.merge_id && e.actor_role === 'admin')).toBe(true);
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('lets support reveal a phone with a reason, records consent and tags, keeps marketers off contact search, shows the audit log and erases', async () => {
    expect(customerId).not.toBe('');

    // A marketer may list by tag but not search by phone: the console explains.
    const marketerKey = (await ui.ok('POST', '/v1/api-keys', { name: 'e2e marketer', role: 'marketer' })).key;
    const marketer = await ui.signedIn(marketerKey);
    await marketer.getByTestId('nav-customers').click();
    await expect.poll(() => marketer.getByTestId('search-mode-tag').getAttribute('aria-checked')).toBe('true');
    await marketer.getByTestId('search-mode-contact').click();
    await marketer.getByTestId('customer-search-input').fill(PHONE);
    await marketer.getByTestId('customer-search-submit').click();
    expect(await text(marketer.getByTestId('forbidden'))).toContain('您的角色不能按手机、邮箱或会员卡查找顾客');
    expect(await marketer.getByTestId('nav-audit').count()).toBe(0);
    await marketer.close();

    // Support sees the phone masked, and reveals it with a reason (too short first).
    const supportKey = (await ui.ok('POST', '/v1/api-keys', { name: 'e2e support', role: 'support' })).key;
    const support = await ui.signedIn(supportKey);
    await support.goto(`${ui.server.url}/#/customers/${customerId}`);
    const phoneRow = support.locator('[data-testid="identity-row"][data-type="phone"]');
    expect(await text(phoneRow.getByTestId('identity-value'))).toBe(PHONE_MASKED);
    expect(await support.getByTestId('erase-open').count()).toBe(0);
    await phoneRow.getByTestId('reveal-phone').click();
    const dialog = support.getByTestId('reveal-dialog');
    await dialog.getByTestId('reveal-reason').fill('call');
    await dialog.getByTestId('reveal-submit').click();
    expect(await text(dialog.getByTestId('reveal-reason-error'))).toBe('请填写查看原因，至少 8 个字');
    const reason = '顾客来电核对手机号';
    await dialog.getByTestId('reveal-reason').fill(reason);
    await dialog.getByTestId('reveal-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => phoneRow.getByTestId('identity-value').textContent()).toContain(PHONE_E164);

    // Support records a marketing SMS consent: the state, then the timeline, show it.
    const sms = support.locator('[data-testid="consent-row"][data-purpose="marketing_sms"]');
    expect(await sms.getAttribute('data-granted')).toBe('false');
    await sms.getByTestId('consent-toggle-marketing_sms').click();
    await expect.poll(() => sms.getAttribute('data-granted')).toBe('true');
    expect(await text(sms.getByTestId('consent-state'))).toBe('已同意');
    const consentItem = support.locator(
      '[data-testid="timeline-item"][data-kind="consent"][data-type="marketing_sms"]',
    );
    expect(await consentItem.textContent()).toContain('同意「营销短信」');
    const consents = await ui.ok('GET', `/v1/customers/${customerId}/consents`);
    expect(consents.consents.find((c: any) => c.purpose === 'marketing_sms')).toMatchObject({
      granted: true,
      channel: 'console',
      source: 'console',
    });

    // Tags: added, then removed.
    await support.getByTestId('tag-input').fill('e2e-vip');
    await support.getByTestId('tag-add').click();
    await support.locator('[data-testid="tag"][data-tag="e2e-vip"]').waitFor();
    expect((await ui.ok('GET', `/v1/customers/${customerId}`)).tags).toContain('e2e-vip');
    expect((await ui.ok('GET', '/v1/customers?tag=e2e-vip')).items.map((c: any) => c.id)).toEqual([customerId]);
    await support.getByTestId('tag-remove-e2e-vip').click();
    await support.locator('[data-testid="tag"][data-tag="e2e-vip"]').waitFor({ state: 'detached' });
    expect((await ui.ok('GET', `/v1/customers/${customerId}`)).tags).not.toContain('e2e-vip');
    await support.close();

    // The admin's audit log, from the profile: the reveal, with support's reason.
    const admin = await ui.signedIn(ui.server.adminKey);
    await admin.goto(`${ui.server.url}/#/customers/${customerId}`);
    await admin.getByTestId('profile-audit').click();
    await admin.waitForURL((u) => u.hash === `#/audit/${customerId}`);
    expect(await admin.getByTestId('audit-subject').inputValue()).toBe(customerId);
    await admin.getByTestId('audit-action').fill('customer.reveal');
    const reveal = admin.locator('[data-testid="audit-row"][data-action="customer.reveal"]');
    await expect.poll(() => reveal.count()).toBe(1);
    expect(await text(reveal.getByTestId('audit-reason'))).toBe(reason);
    expect(await reveal.textContent()).toContain('e2e support');
    expect(await reveal.textContent()).toContain('客服');
    const log = (await ui.ok('GET', `/v1/audit?action=customer.reveal&subject=${customerId}`)).items;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ reason, actor_role: 'support', details: { type: 'phone', count: 1 } });
    // A prefix shows every customer action on the subject.
    await admin.getByTestId('audit-action').fill('customer.');
    const all = (await ui.ok('GET', `/v1/audit?action=customer.&subject=${customerId}&limit=50`)).items;
    await expect.poll(() => admin.getByTestId('audit-row').count()).toBe(all.length);
    await admin.screenshot({ path: path.join(SHOTS, 'santong-audit.png'), fullPage: true });

    // Erasure needs the customer id typed in full, and is refused while an order is still open.
    await admin.goto(`${ui.server.url}/#/customers/${customerId}`);
    await admin.getByTestId('erase-open').click();
    const erase = admin.getByTestId('erase-dialog');
    await erase.getByTestId('erase-confirm-id').fill(customerId.slice(0, -1));
    expect(await erase.getByTestId('erase-submit').isDisabled()).toBe(true);
    await erase.getByTestId('erase-confirm-id').fill(customerId);
    await erase.getByTestId('erase-submit').click();
    expect(await text(erase.getByTestId('erase-error'))).toContain('此人还有进行中的订单');
    expect(await erase.getByTestId('erase-error').getAttribute('data-code')).toBe('open_orders');
    await admin.screenshot({ path: path.join(SHOTS, 'santong-erase-dialog.png') });
    await admin.keyboard.press('Escape');
    await erase.waitFor({ state: 'detached' });
    expect((await ui.ok('GET', `/v1/customers/${customerId}`)).id).toBe(customerId);

    // Someone without open orders is erased; the profile is gone from the API.
    const gone = (
      await ui.ok(
        'POST',
        '/v1/identify',
        { identifiers: [{ type: 'email', value: 'erase.me@example.com' }], channel: 'web' },
        200,
      )
    ).customer_id;
    await admin.goto(`${ui.server.url}/#/customers/${gone}`);
    await admin.getByTestId('erase-open').click();
    await erase.getByTestId('erase-confirm-id').fill(gone);
    await erase.getByTestId('erase-submit').click();
    expect(await text(admin.getByTestId('erased'))).toContain(gone);
    expect((await ui.server.api('GET', `/v1/customers/${gone}`)).status).toBe(404);
    expect((await ui.ok('GET', `/v1/audit?action=customer.erase&subject=${gone}`)).items).toHaveLength(1);
    await admin.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
