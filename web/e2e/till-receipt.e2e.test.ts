import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * A till sale in a real (headless) Chromium, as store staff: one product scanned by its barcode,
 * one found by part of its name, the member's maximum points, paid by Alipay; the receipt shows
 * the store, the product names, the points and the payment method, prints alone on 80 mm paper
 * (print media emulated and screenshot; the PDF's page is 80 mm wide), and the order keeps the method.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

const PHONE = '13966551234';
const MM_PER_PT = 25.4 / 72;

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('till-receipt');
});
afterAll(async () => ui?.close());

/** Two products sold in stores, priced over ¥10, with barcodes and at least 2 units at one store. */
async function twoProductsAtAStore() {
  const stores = (await ui.ok('GET', '/v1/locations')).items.filter((l: any) => l.type === 'store');
  for (const store of stores) {
    const stock = await ui.ok('GET', `/v1/locations/${store.id}/stock?sort=available&order=desc&limit=60`);
    const picked: any[] = [];
    for (const row of stock.items) {
      if (row.available < 2) break;
      const p = await ui.ok('GET', `/v1/products/${encodeURIComponent(row.sku)}`);
      if (p.channels.includes('pos') && p.barcode && p.list_price >= 1000) picked.push(p);
      if (picked.length === 2) return { store, scanned: picked[0], named: picked[1] };
    }
  }
  throw new Error('no store holds two pos products with barcodes');
}

describe('the till sells and prints a receipt', () => {
  it('scans a barcode, finds a name, spends the most points, takes Alipay and prints an 80 mm receipt', async () => {
    const { store, scanned, named } = await twoProductsAtAStore();
    const member = (
      await ui.ok('POST', '/v1/identify', { identifiers: [{ type: 'phone', value: PHONE }], channel: 'app' }, 200)
    ).customer_id;
    await ui.ok('POST', '/v1/points/adjust', { customer: { id: member }, points: 1_000_000, reason: 'e2e' });

    const page = await ui.signedIn(await ui.server.keyFor('store_staff', { location_id: store.id }));
    await page.getByTestId('nav-till').click();
    await page.getByTestId('till-lookup-value').fill(PHONE);
    await page.getByTestId('till-lookup-submit').click();
    await page.locator(`[data-testid="till-member"][data-customer="${member}"]`).waitFor();

    // A scanner types the barcode and Enter: the product joins the basket by name.
    await page.getByTestId('till-sku').fill(scanned.barcode);
    await page.getByTestId('till-sku').press('Enter');
    const scannedLine = page.locator(`[data-testid="till-line"][data-sku="${scanned.sku}"]`);
    expect(await text(scannedLine)).toContain(scanned.name);

    // Part of a name lists the matches; the cashier picks one.
    await page.getByTestId('till-sku').fill(named.name.slice(0, -1));
    await page.locator(`[data-testid="till-search-result"][data-sku="${named.sku}"]`).click();
    await page.locator(`[data-testid="till-line"][data-sku="${named.sku}"]`).waitFor();

    const max = page.getByTestId('till-points-max');
    await max.waitFor();
    const usable = Number(await max.getAttribute('data-points'));
    expect(usable).toBeGreaterThan(0);
    await max.click();
    await page.locator('[data-testid="quote-adjustment"][data-type="points"]').waitFor();
    await page.locator('[data-testid="till-payment-methods"] [data-method="alipay"]').click();
    expect(await page.getByTestId('till-pay-alipay').isChecked()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'till-receipt-sale.png'), fullPage: true });
    await page.getByTestId('till-place').click();

    const orderId = await text(page.getByTestId('till-receipt').getByTestId('till-order-id'));
    const order = await ui.ok('GET', `/v1/orders/${orderId}`);
    expect(order.payment_method).toBe('alipay');
    expect(order.totals.points_used).toBe(usable);

    // The receipt: store, product names, points, what was paid and how, the order number.
    const paper = page.getByTestId('receipt-paper');
    expect(await text(paper.getByTestId('receipt-store'))).toBe(store.name.split(' ')[0]);
    const lines = paper.getByTestId('receipt-line');
    expect(await lines.count()).toBe(2);
    expect(await text(paper.locator(`[data-testid="receipt-line"][data-sku="${scanned.sku}"]`))).toContain(
      scanned.name,
    );
    expect(await text(paper.locator(`[data-testid="receipt-line"][data-sku="${named.sku}"]`))).toContain(named.name);
    expect(await text(paper.getByTestId('receipt-points'))).toContain(`-${yuan(order.totals.points_discount)}`);
    expect(await text(paper.getByTestId('receipt-total'))).toBe(yuan(order.totals.total));
    expect(await text(paper.getByTestId('receipt-payment'))).toContain('支付宝');
    expect(await text(paper)).toContain(orderId.toUpperCase());
    await page.getByTestId('receipt-print').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'till-receipt-screen.png'), fullPage: true });

    // Printed: only the receipt is shown (its print copy, a child of <body>), on one page 80 mm wide.
    await page.emulateMedia({ media: 'print' });
    const printed = page.locator('body > .receipt-print-root .receipt-paper');
    expect(await printed.isVisible()).toBe(true);
    expect(await printed.textContent()).toContain(named.name);
    expect(await page.getByTestId('nav-till').isVisible()).toBe(false);
    expect(await page.getByTestId('till-next').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(SHOTS, 'till-receipt-print.png'), fullPage: true });
    const pdf = await page.pdf({ preferCSSPageSize: true });
    fs.writeFileSync(path.join(SHOTS, 'till-receipt.pdf'), pdf);
    const box = /MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(box).not.toBeNull();
    expect(Number(box![1]) * MM_PER_PT).toBeCloseTo(80, 0);
    expect(/\/Count (\d+)/.exec(pdf.toString('latin1'))![1]).toBe('1');
    await page.emulateMedia({ media: 'screen' });

    // The order's page shows how it was paid, and can print the receipt again.
    await page.goto(`${ui.server.url}/#/orders/${orderId}`);
    expect(await text(page.getByTestId('order-payment-method'))).toBe('支付宝');
    await page.getByTestId('order-receipt-open').click();
    expect(await text(page.getByTestId('receipt').getByTestId('receipt-payment'))).toContain('支付宝');
    expect(ui.pageErrors).toEqual([]);
  });
});
