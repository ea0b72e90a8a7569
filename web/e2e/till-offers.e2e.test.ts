import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * The till's payment-success screen, in a real (headless) Chromium against a real server with the
 * small demo retailer: store staff sell to a member who holds a coupon for a product and viewed
 * another in the app; after the sale the receipt is followed by the member's offers at this store —
 * the coupon (with its product's name) and the viewed product on the shelf, with its price.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

const PHONE = '13966554433';
const DAY = 86_400_000;

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('till-offers');
});
afterAll(async () => ui?.close());

describe('offers at the till after payment', () => {
  it('lists the coupon the member holds and a viewed product in stock at this store', async () => {
    // Two SKUs sold at the till with stock at one store: one to sell, one the member viewed.
    const stores = new Set(
      ((await ui.ok('GET', '/v1/locations')).items as any[]).filter((l) => l.type === 'store').map((l) => l.id),
    );
    const byStore = new Map<string, { sku: string; name: string; price: number }[]>();
    let pair: [string, { sku: string; name: string; price: number }[]] | undefined;
    for (const p of await allProducts(ui)) {
      if (!p.channels.includes('pos')) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      for (const l of stock.locations)
        if (stores.has(l.location_id) && l.available >= 3)
          byStore.set(l.location_id, [
            ...(byStore.get(l.location_id) ?? []),
            { sku: p.sku, name: p.name, price: p.list_price },
          ]);
      pair = [...byStore].find(([, ps]) => ps.length >= 2);
      if (pair) break;
    }
    expect(pair).toBeDefined();
    const [store, [sold, seen]] = pair!;

    const customerId: string = (
      await ui.ok('POST', '/v1/identify', { identifiers: [{ type: 'phone', value: PHONE }], channel: 'app' }, 200)
    ).customer_id;
    const template = await ui.ok('POST', '/v1/coupon-templates', {
      name: '浏览有礼减5元',
      kind: 'amount_off',
      value: 500,
      channels: ['store'],
      skus: [seen.sku],
      valid_from: new Date(Date.now() - DAY).toISOString(),
      valid_to: new Date(Date.now() + 14 * DAY).toISOString(),
      budget: 10,
      per_customer_limit: 1,
      stackable: true,
    });
    const code: string = (
      await ui.ok('POST', '/v1/coupons/issue', { template_id: template.id, customer: { id: customerId } })
    ).code;
    await ui.ok(
      'POST',
      '/v1/events',
      {
        events: [
          {
            event_id: crypto.randomUUID(),
            customer_id: customerId,
            type: 'product_viewed',
            channel: 'app',
            occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
            properties: { sku: seen.sku },
          },
        ],
      },
      200,
    );

    // ---- Store staff sell the other product to the member ----
    const staffKey = (
      await ui.ok('POST', '/v1/api-keys', { name: 'e2e till offers', role: 'store_staff', location_id: store })
    ).key;
    const staff = await ui.signedIn(staffKey);
    await staff.getByTestId('nav-till').click();
    await staff.waitForURL((u) => u.hash === '#/till');
    await staff.getByTestId('till-lookup-value').fill(PHONE);
    await staff.getByTestId('till-lookup-submit').click();
    expect(await staff.getByTestId('till-member').getAttribute('data-customer')).toBe(customerId);
    await staff.getByTestId('till-sku').fill(sold.sku);
    await staff.getByTestId('till-add').click();
    await staff.locator(`[data-testid="till-line"][data-sku="${sold.sku}"]`).waitFor();
    await expect.poll(() => text(staff.getByTestId('quote-total'))).toBe(yuan(sold.price));
    await staff.getByTestId('till-place').click();
    await staff.getByTestId('till-receipt').waitFor();

    // ---- The success screen offers the coupon, then the viewed product with its name and price ----
    const offers = staff.getByTestId('till-offers');
    const coupon = offers.locator(`[data-testid="wallet-coupon"][data-code="${code}"]`);
    await coupon.waitFor();
    expect(await text(coupon)).toContain('浏览有礼减5元');
    expect(await text(offers.getByTestId('till-offer-coupon-products'))).toContain(seen.name);
    const product = offers.locator(`[data-testid="till-offer-product"][data-sku="${seen.sku}"]`);
    expect(await text(product)).toContain(seen.name);
    expect(await text(product)).toContain(yuan(seen.price));
    await staff.screenshot({ path: path.join(SHOTS, 'santong-till-offers.png'), fullPage: true });

    // What the screen showed is what the API answers for this member at this store.
    const api = await ui.ok('GET', `/v1/customers/${customerId}/offers?channel=pos&location_id=${store}`);
    expect(api.coupons.map((c: any) => c.code)).toContain(code);
    expect(api.products.map((p: any) => p.sku)).toContain(seen.sku);
    expect(ui.pageErrors).toEqual([]);
  });
});
