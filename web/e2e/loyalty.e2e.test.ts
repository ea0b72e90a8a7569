import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * Loyalty in the console, in a real (headless) Chromium against a real server with the small demo
 * retailer: a marketer-side admin creates a coupon template (after the API refused an incomplete
 * one, shown under its input), issues a coupon to a customer found by phone; store staff redeem it
 * at their till through an in-store order priced by the quote; the template then shows it redeemed
 * in channel pos and the customer's wallet no longer offers it.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

/** The test's member: a mobile number no demo customer has. */
const PHONE = '13977665544';
/** ¥8 off, no minimum. */
const COUPON_OFF = 800;

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('loyalty');
});
afterAll(async () => ui?.close());

describe('loyalty in the console', () => {
  it('creates a template, issues a coupon, redeems it at the till and shows it spent', async () => {
    // A SKU sold at the till, with stock at a store, worth more than the coupon.
    const locations: any[] = (await ui.ok('GET', '/v1/locations')).items;
    const stores = new Map(locations.filter((l) => l.type === 'store').map((l) => [l.id, l]));
    let chosen: { sku: string; price: number; store: string } | null = null;
    for (const p of await allProducts(ui)) {
      if (!p.channels.includes('pos') || p.list_price < 2 * COUPON_OFF) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find((l: any) => stores.has(l.location_id) && l.available >= 3);
      if (level) {
        chosen = { sku: p.sku, price: p.list_price, store: level.location_id };
        break;
      }
    }
    expect(chosen).not.toBeNull();
    const { sku, price, store } = chosen!;

    // The member, known by phone (as the app would identify them).
    const identified = await ui.ok(
      'POST',
      '/v1/identify',
      { identifiers: [{ type: 'phone', value: PHONE }], channel: 'app' },
      200,
    );
    const customerId: string = identified.customer_id;

    // ---- The admin creates a template in the console ----
    const admin = await ui.signedIn(ui.server.adminKey);
    await admin.getByTestId('nav-loyalty').click();
    await admin.waitForURL((u) => u.hash === '#/loyalty');
    await admin.getByTestId('templates-panel').waitFor();
    await admin.getByTestId('template-new').click();
    const form = admin.getByTestId('template-form');
    // Without a name the API refuses, naming the field: the message sits under the name input.
    await form.getByTestId('template-value').fill(String(COUPON_OFF / 100));
    await form.getByTestId('template-submit').click();
    const nameError = form.getByTestId('field-error-name');
    expect(await text(nameError)).toContain('name');
    await admin.screenshot({ path: path.join(SHOTS, 'santong-loyalty-form-error.png'), fullPage: true });

    const name = `E2E 门店立减 ${Date.now()}`;
    await form.getByTestId('template-name').fill(name);
    // The store only: untick the online group, keep the store group.
    await form.getByTestId('template-channel-online').uncheck();
    expect(await form.getByTestId('template-channel-store').isChecked()).toBe(true);
    await form.getByTestId('template-days').fill('30');
    await form.getByTestId('template-budget').fill('10');
    await form.getByTestId('template-submit').click();
    const created = admin.getByTestId('template-created');
    await created.waitFor();
    const templateId = (await created.getAttribute('data-template'))!;
    expect(templateId).toBeTruthy();
    await admin.waitForURL((u) => u.hash === `#/loyalty/coupons/${templateId}`);

    // The template as the API has it: the store channel expanded to pos, nothing issued yet.
    const tpl = await ui.ok('GET', `/v1/coupon-templates/${templateId}`);
    expect(tpl).toMatchObject({
      name,
      kind: 'amount_off',
      value: COUPON_OFF,
      channels: ['pos'],
      budget: 10,
      valid_days_after_claim: 30,
      issued: 0,
      redeemed: 0,
    });
    const row = admin.locator(`[data-testid="template-row"][data-template="${templateId}"]`);
    expect(await text(row.getByTestId('template-budget-used'))).toBe('0 / 10');
    expect(await row.getByTestId('coupon-value').textContent()).toBe(`立减 ${yuan(COUPON_OFF)}`);
    expect(await row.textContent()).toContain('门店 POS');

    // ---- Issue one coupon to the member, found by phone ----
    const detail = admin.getByTestId('template-detail');
    expect(await text(detail.getByTestId('template-detail-name'))).toBe(name);
    await detail.getByTestId('issue-lookup-value').fill(PHONE);
    await detail.getByTestId('issue-lookup-submit').click();
    expect(await detail.getByTestId('issue-person').getAttribute('data-customer')).toBe(customerId);
    await detail.getByTestId('issue-submit').click();
    const issued = detail.getByTestId('issued-coupon');
    await issued.waitFor();
    const code = (await issued.getAttribute('data-code'))!;
    expect(code).toBeTruthy();
    await expect.poll(async () => text(row.getByTestId('template-budget-used'))).toBe('1 / 10');
    expect(await text(detail.getByTestId('detail-issued'))).toBe('1');
    await admin.screenshot({ path: path.join(SHOTS, 'santong-loyalty-template.png'), fullPage: true });

    // The member's wallet at that store's till offers it; not online (pos only).
    const posWallet = await ui.ok('GET', `/v1/customers/${customerId}/wallet?channel=pos&location_id=${store}`);
    expect(posWallet.coupons.map((c: any) => c.code)).toContain(code);
    const appWallet = await ui.ok('GET', `/v1/customers/${customerId}/wallet?channel=app`);
    expect(appWallet.coupons.map((c: any) => c.code)).not.toContain(code);

    // ---- Store staff redeem it at their till ----
    const staffKey = (
      await ui.ok('POST', '/v1/api-keys', { name: 'e2e till', role: 'store_staff', location_id: store })
    ).key;
    const staff = await ui.signedIn(staffKey);
    await staff.getByTestId('nav-till').click();
    await staff.waitForURL((u) => u.hash === '#/till');
    expect(await staff.getByTestId('till-location').count()).toBe(0);
    // The till, not the loyalty back office, is theirs.
    expect(await staff.getByTestId('nav-loyalty').count()).toBe(0);
    await staff.getByTestId('till-lookup-value').fill(PHONE);
    await staff.getByTestId('till-lookup-submit').click();
    const member = staff.getByTestId('till-member');
    expect(await member.getAttribute('data-customer')).toBe(customerId);
    const offered = member.locator(`[data-testid="wallet-coupon"][data-code="${code}"]`);
    await offered.waitFor();
    expect(await offered.textContent()).toContain(name);

    await staff.getByTestId('till-sku').fill(sku);
    await staff.getByTestId('till-qty').fill('2');
    await staff.getByTestId('till-add').click();
    await staff.locator(`[data-testid="till-line"][data-sku="${sku}"]`).waitFor();
    // Without the coupon: list price × 2.
    await expect.poll(() => text(staff.getByTestId('quote-total'))).toBe(yuan(price * 2));

    await staff.getByTestId(`coupon-pick-${code}`).check();
    const couponStep = staff.locator(`[data-testid="quote-adjustment"][data-type="coupon"][data-code="${code}"]`);
    await couponStep.waitFor();
    expect(await couponStep.getAttribute('data-amount')).toBe(String(-COUPON_OFF));
    expect(await text(couponStep)).toContain(yuan(-COUPON_OFF).replace('¥-', '-¥'));
    await expect.poll(() => text(staff.getByTestId('quote-total'))).toBe(yuan(price * 2 - COUPON_OFF));
    expect(await text(staff.getByTestId('quote-coupon-discount'))).toBe('-' + yuan(COUPON_OFF));
    await staff.screenshot({ path: path.join(SHOTS, 'santong-till-quote.png'), fullPage: true });

    await staff.getByTestId('till-place').click();
    const receipt = staff.getByTestId('till-receipt');
    const orderId = await text(receipt.getByTestId('till-order-id'));
    expect(await text(receipt.getByTestId('till-order-total'))).toBe(yuan(price * 2 - COUPON_OFF));
    await staff.screenshot({ path: path.join(SHOTS, 'santong-till-receipt.png'), fullPage: true });

    // The order as the API has it: in-store at that store, the coupon taking ¥8 off.
    const order = await ui.ok('GET', `/v1/orders/${orderId}`);
    expect(order).toMatchObject({
      channel: 'pos',
      customer_id: customerId,
      location_id: store,
      fulfillment_type: 'in_store',
    });
    expect(order.totals).toMatchObject({
      subtotal: price * 2,
      coupon_discount: COUPON_OFF,
      total: price * 2 - COUPON_OFF,
    });
    expect(order.pricing.coupons).toMatchObject([{ code, discount: COUPON_OFF }]);
    const coupon = await ui.ok('GET', `/v1/coupons/${code}`);
    expect(coupon.status).toBe('redeemed');
    expect(coupon.redemption).toMatchObject({
      order_ref: orderId,
      channel: 'pos',
      location_id: store,
      amount: COUPON_OFF,
    });

    // ---- Spent: the template shows one redemption in pos ----
    await admin.getByTestId('templates-refresh').click();
    await expect.poll(() => text(row.getByTestId('template-redeemed'))).toBe('1');
    const posChip = row.locator('[data-testid="redemptions-by-channel"] [data-channel="pos"]');
    expect(await posChip.getAttribute('data-count')).toBe('1');
    // (The browser's one storage now holds the staff key: the admin page moves by hash, never reloads.)
    const detail2 = admin.getByTestId('template-detail');
    await expect.poll(() => text(detail2.getByTestId('detail-redeemed'))).toBe('1');
    const detailChip = detail2.locator('[data-testid="detail-by-channel"] [data-channel="pos"]');
    expect(await detailChip.getAttribute('data-count')).toBe('1');
    expect(await detailChip.textContent()).toContain('门店 POS');
    await admin.screenshot({ path: path.join(SHOTS, 'santong-loyalty-redeemed.png'), fullPage: true });

    // …and the customer's wallet no longer offers it; among all coupons it shows redeemed at the till.
    await admin.evaluate(`window.location.hash = '#/customers/${customerId}'`);
    const wallet = admin.getByTestId('wallet');
    await wallet.waitFor();
    await wallet.getByTestId('wallet-balance').waitFor();
    expect(await wallet.locator(`[data-testid="wallet-coupon"][data-code="${code}"]`).count()).toBe(0);
    await wallet.getByTestId('tab-all').click();
    const held = wallet.locator(`[data-testid="customer-coupon"][data-code="${code}"]`);
    expect(await held.getAttribute('data-status')).toBe('redeemed');
    expect(await text(held.getByTestId('coupon-status'))).toBe('已核销');
    expect(await held.textContent()).toContain(orderId);
    // The timeline has the coupon issued and then used at the till.
    const used = admin.locator(`[data-testid="timeline-item"][data-kind="coupon"][data-type="redeemed"]`);
    expect(await text(used)).toContain(`使用优惠券「${name}」`);
    expect(await used.getAttribute('data-channel')).toBe('pos');
    expect(await used.textContent()).toContain(orderId);
    expect(await admin.locator(`[data-testid="timeline-item"][data-kind="coupon"][data-type="issue"]`).count()).toBe(1);
    // The points history (with what the till order earned, when the rules give points for it).
    await wallet.getByTestId('tab-history').click();
    await wallet.locator('[data-testid="points-history"], [data-testid="points-history-empty"]').first().waitFor();
    await admin.screenshot({ path: path.join(SHOTS, 'santong-customer-wallet.png'), fullPage: true });

    expect(ui.pageErrors).toEqual([]);
  });
});
