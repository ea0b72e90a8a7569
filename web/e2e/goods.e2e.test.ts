import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * The goods screens of the console in a real (headless) Chromium against a real server with the small
 * demo retailer: a store's pickup work queue and hand-over, the order detail with its routing and
 * timeline, stock counts and movements, low stock, and the nearby-store search.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('goods');
});
afterAll(async () => ui?.close());

describe('goods in the console', () => {
  it('store staff pick, ready and hand over a pickup order; the admin sees its routing and timeline', async () => {
    // A SKU sold online with stock at a store that offers pickup, found from the demo data.
    const locations: any[] = (await ui.ok('GET', '/v1/locations')).items;
    const pickupStores = new Set(locations.filter((l) => l.type !== 'dc' && l.capabilities.pickup).map((l) => l.id));
    let chosen: { sku: string; channel: string; location: string } | null = null;
    for (const p of await allProducts(ui)) {
      const channel = p.channels.find((c: string) => c !== 'pos');
      if (!channel) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find((l: any) => pickupStores.has(l.location_id) && l.online_available >= 1);
      if (level) {
        chosen = { sku: p.sku, channel, location: level.location_id };
        break;
      }
    }
    expect(chosen).not.toBeNull();
    const { sku, channel, location } = chosen!;

    // Placed and paid through the API, as an app would.
    const placed = await ui.ok('POST', '/v1/orders', {
      channel,
      lines: [{ sku, qty: 1 }],
      fulfillment: { type: 'pickup', location_id: location },
    });
    expect(placed.status).toBe('pending_payment');
    expect(placed.pickup_code).toMatch(/^\d{6}$/);
    expect(placed.allocations).toHaveLength(1);
    const orderId: string = placed.id;
    const fulfilmentId: string = placed.allocations[0].fulfillment_id;
    const code: string = placed.pickup_code;
    const paid = await ui.ok('POST', `/v1/orders/${orderId}/pay`, { payment_ref: 'e2e-pay-1' }, 200);
    expect(paid.status).toBe('paid');

    // The store's own key: its console shows that store's queue, with no choice of location.
    const key = await ui.ok('POST', '/v1/api-keys', {
      name: 'e2e counter tablet',
      role: 'store_staff',
      location_id: location,
    });
    const staff = await ui.signedIn(key.key);
    await staff.getByTestId('nav-store').click();
    await staff.waitForURL((u) => u.hash === '#/store');
    expect(await text(staff.locator('h1'))).toBe('门店作业');
    expect(await staff.getByTestId('store-location').count()).toBe(0);
    expect(await text(staff.getByTestId('who'))).toContain('门店员工');

    const card = staff.locator(`[data-testid="task-card"][data-fulfilment="${fulfilmentId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-order')).toBe(orderId);
    expect(await text(card.getByTestId('task-status'))).toBe('待拣货');
    expect(await card.textContent()).toContain(sku);
    // Only this store's open fulfilments are listed: as many cards as the API has.
    const open = (
      await ui.ok('GET', `/v1/fulfillments?location_id=${location}&status=allocated,picked,packed,ready_for_pickup`)
    ).items;
    expect(await staff.getByTestId('task-card').count()).toBe(open.length);

    // Picked, then ready for pickup: the card moves to the counter section.
    await card.getByTestId('step-picked').click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('picked');
    expect(await text(card.getByTestId('task-status'))).toBe('已拣货');
    expect((await ui.ok('GET', `/v1/fulfillments/${fulfilmentId}`)).status).toBe('picked');
    await card.getByTestId('step-ready_for_pickup').click();
    const atCounter = staff.getByTestId('section-counter').locator(`[data-fulfilment="${fulfilmentId}"]`);
    await atCounter.waitFor();
    expect(await atCounter.getAttribute('data-status')).toBe('ready_for_pickup');
    expect((await ui.ok('GET', `/v1/orders/${orderId}`)).status).toBe('ready_for_pickup');

    // A wrong code is refused and said so; nothing is handed over.
    const wrong = code === '000000' ? '111111' : '000000';
    await atCounter.getByTestId('handover-code').fill(wrong);
    await atCounter.getByTestId('handover-submit').click();
    const error = atCounter.getByTestId('handover-error');
    expect(await text(error)).toBe('取件码错误，请与顾客核对后重试');
    expect(await error.getAttribute('data-code')).toBe('invalid_pickup_code');
    expect((await ui.ok('GET', `/v1/fulfillments/${fulfilmentId}`)).status).toBe('ready_for_pickup');
    await staff.screenshot({ path: path.join(SHOTS, 'santong-store-tasks-wrong-code.png'), fullPage: true });

    // The right code hands it over: the card shows it collected.
    await atCounter.getByTestId('handover-code').fill(code);
    await atCounter.getByTestId('handover-submit').click();
    const done = staff.getByTestId('section-done').locator(`[data-fulfilment="${fulfilmentId}"]`);
    await done.waitFor();
    expect(await done.getAttribute('data-status')).toBe('collected');
    expect(await text(done.getByTestId('task-finished'))).toContain('已自提');
    expect(await done.getByTestId('handover').count()).toBe(0);
    expect(await staff.getByTestId('section-counter').locator(`[data-fulfilment="${fulfilmentId}"]`).count()).toBe(0);
    await staff.screenshot({ path: path.join(SHOTS, 'santong-store-tasks.png'), fullPage: true });

    // Staff may open their store's order, but are not shown the code the customer must give.
    await done.locator(`a[href="#/orders/${orderId}"]`).click();
    const staffDetail = staff.getByTestId('order-detail');
    await expect
      .poll(() => staffDetail.getByTestId('order-detail-status').getAttribute('data-status'))
      .toBe('completed');
    await staffDetail.getByTestId(`timeline-${fulfilmentId}`).waitFor();
    expect(await staffDetail.getByTestId('order-pickup-code').count()).toBe(0);
    await staff.close();

    // The admin's order detail: the routing explanation and the timeline, step by step.
    const admin = await ui.signedIn(ui.server.adminKey);
    await admin.goto(`${ui.server.url}/#/orders/${orderId}`);
    const detail = admin.getByTestId('order-detail');
    expect(await text(detail.getByTestId('order-detail-id'))).toBe(orderId);
    await expect.poll(() => detail.getByTestId('order-detail-status').getAttribute('data-status')).toBe('completed');
    expect(await text(detail.getByTestId('order-detail-status'))).toBe('已完成');
    expect(await text(detail.getByTestId('order-pickup-code'))).toBe(code);
    const decision = detail.getByTestId('routing-decision');
    expect(await decision.getAttribute('data-decision')).toBe('pickup');
    expect(await text(decision)).toBe('到店自提');
    // The reason in Chinese, worded from its code.
    const reason = detail.getByTestId('routing-reason');
    const candidates = detail.getByTestId('candidate-row');
    expect(placed.routing.reason_code).toBe('picked_up_at');
    await expect.poll(() => reason.getAttribute('data-code')).toBe('picked_up_at');
    const storeName = await text(candidates.first().locator('td').first());
    expect(await text(reason)).toBe(`自提门店：${storeName}`);
    expect(await candidates.count()).toBe(placed.routing.candidates.length);
    expect(await candidates.first().getAttribute('data-location')).toBe(location);
    expect(await candidates.first().textContent()).toContain('是');

    const timeline = detail.getByTestId(`timeline-${fulfilmentId}`);
    await timeline.getByTestId('timeline-event').last().waitFor();
    const types = await timeline
      .getByTestId('timeline-event')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toEqual(['placed', 'paid', 'picked', 'ready_for_pickup', 'collected']);
    const labels = (await timeline.locator('.timeline-label').allTextContents()).map((s) => s.trim());
    expect(labels).toEqual(['下单', '付款', '已拣货', '待自提', '已自提']);
    // A completed order offers no pay or cancel; the allocation says where it was collected.
    expect(await detail.getByTestId('pay-submit').count()).toBe(0);
    expect(await detail.getByTestId('cancel-open').count()).toBe(0);
    expect(await text(detail.getByTestId('allocation'))).toContain(fulfilmentId);

    // The same in English, for the screenshot.
    await admin.getByTestId('lang-en').click();
    await expect
      .poll(async () => (await timeline.locator('.timeline-label').allTextContents()).map((s) => s.trim()))
      .toEqual(['Placed', 'Paid', 'Picked', 'Ready for pickup', 'Collected']);
    expect(await text(decision)).toBe('Store pickup');
    expect(await text(reason)).toBe(`picked up at ${await text(candidates.first().locator('td').first())}`);
    await admin.setViewportSize({ width: 1440, height: 2200 });
    await admin.screenshot({ path: path.join(SHOTS, 'santong-order-detail.png'), fullPage: true });
    await admin.setViewportSize({ width: 1440, height: 960 });

    // An admin chooses the location; the collected order is no longer in its queue.
    await admin.getByTestId('nav-store').click();
    await admin.getByTestId('store-location').selectOption(location);
    await admin.waitForURL((u) => u.hash === `#/store/${location}`);
    const openNow = (
      await ui.ok('GET', `/v1/fulfillments?location_id=${location}&status=allocated,picked,packed,ready_for_pickup`)
    ).items;
    if (openNow.length) await admin.getByTestId('task-card').first().waitFor();
    else await admin.getByText('Nothing is waiting here.').waitFor();
    expect(await admin.getByTestId('task-card').count()).toBe(openNow.length);
    expect(await admin.locator(`[data-fulfilment="${fulfilmentId}"]`).count()).toBe(0);
    await admin.close();

    // And the API agrees.
    const final = await ui.ok('GET', `/v1/orders/${orderId}`);
    expect(final.status).toBe('completed');
    expect(final.allocations[0].status).toBe('collected');
    const f = await ui.ok('GET', `/v1/fulfillments/${fulfilmentId}`);
    expect(f.events.map((e: any) => e.type)).toEqual(['picked', 'ready_for_pickup', 'collected']);
    expect(ui.pageErrors).toEqual([]);
  });

  it('counts and moves stock, lists low stock, finds nearby stores, and pays, returns and cancels an order', async () => {
    const locations: any[] = (await ui.ok('GET', '/v1/locations')).items;
    const stores = locations.filter((l) => l.type !== 'dc');
    const pickupStores = new Set(stores.filter((l) => l.capabilities.pickup).map((l) => l.id));

    // Two SKUs with store stock: one to run low, one to sell.
    const found: { sku: string; channel: string; location: string; stock: any }[] = [];
    for (const p of await allProducts(ui)) {
      const channel = p.channels.find((c: string) => c !== 'pos');
      if (!channel) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find((l: any) => pickupStores.has(l.location_id) && l.online_available >= 2);
      if (level) found.push({ sku: p.sku, channel, location: level.location_id, stock });
      if (found.length === 2) break;
    }
    expect(found).toHaveLength(2);
    const [low, sold] = found;
    const store = low.location;
    // Every other store has none of the first SKU left: its online stock is what `store` has.
    for (const l of low.stock.locations) {
      if (l.location_id !== store && stores.some((s) => s.id === l.location_id) && l.on_hand !== 0) {
        await ui.ok('PUT', `/v1/stock/${l.location_id}/${encodeURIComponent(low.sku)}`, { on_hand: 0 }, 200);
      }
    }

    const page = await ui.signedIn(ui.server.adminKey);
    await page.goto(`${ui.server.url}/#/inventory/${encodeURIComponent(low.sku)}`);
    const detail = page.getByTestId('stock-detail');
    await detail.getByTestId('stock-table').waitFor();

    // A stock count at the store, chosen by clicking its row: on hand 1, no safety stock.
    await detail.locator(`[data-testid="stock-row"][data-location="${store}"]`).click();
    expect(await detail.getByTestId('stock-location').inputValue()).toBe(store);
    await detail.getByTestId('count-on-hand').fill('1');
    await detail.getByTestId('count-safety').fill('0');
    await detail.getByTestId('count-submit').click();
    await detail.getByTestId('count-form').getByTestId('stock-saved').waitFor();
    const row = detail.locator(`[data-testid="stock-row"][data-location="${store}"]`);
    await expect.poll(() => row.getByTestId('stock-on-hand').textContent()).toBe('1');

    // A movement: 0 is refused by the form; +2 received is recorded and listed.
    await detail.getByTestId('move-delta').fill('0');
    await detail.getByTestId('move-submit').click();
    expect(await text(detail.getByTestId('movement-form').getByRole('alert'))).toBe('变动数量必须是非零整数');
    await detail.getByTestId('move-delta').fill('2');
    await detail.getByTestId('move-reason').selectOption('receipt');
    await detail.getByTestId('move-ref').fill('PO-e2e-1');
    await detail.getByTestId('move-submit').click();
    await detail.getByTestId('movement-form').getByTestId('stock-saved').waitFor();
    await expect.poll(() => row.getByTestId('stock-on-hand').textContent()).toBe('3');
    const level = (await ui.ok('GET', `/v1/stock/${encodeURIComponent(low.sku)}`)).locations.find(
      (l: any) => l.location_id === store,
    );
    expect(level).toMatchObject({ on_hand: 3, safety_stock: 0 });
    const firstMovement = detail.getByTestId('movement-row').first();
    await expect.poll(() => firstMovement.getAttribute('data-reason')).toBe('receipt');
    expect(await firstMovement.textContent()).toContain('PO-e2e-1');
    expect(await firstMovement.textContent()).toContain('收货入库');
    expect(await firstMovement.textContent()).toContain('+2');

    // Online stock of 3 is below the policy's threshold of 5: the Low stock tab lists the SKU.
    await expect
      .poll(async () => (await ui.ok('GET', '/v1/stock/low')).items.some((i: any) => i.sku === low.sku), {
        timeout: 15_000,
      })
      .toBe(true);
    await page.getByTestId('tab-low').click();
    expect(await text(page.getByTestId('low-stock-threshold'))).toBe('5');
    const lowRow = page.getByTestId('low-stock-row').filter({ hasText: low.sku });
    await lowRow.waitFor();
    expect(await lowRow.textContent()).toContain('3');

    // The Movements tab, filtered by the SKU: the count and the receipt.
    await page.getByTestId('tab-movements').click();
    await page.getByTestId('movements-sku').fill(low.sku);
    const movements = page.getByTestId('movements-tab').getByTestId('movement-row');
    await expect
      .poll(async () =>
        (await movements.evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')))).slice(0, 2),
      )
      .toEqual(['receipt', 'count']);

    // Stores near the store, with the SKU: the store itself, at 0 km, with its 3 units, ringed on the map.
    const s = locations.find((l) => l.id === store);
    await page.getByTestId('nav-stores').click();
    await page.getByTestId('nearby-lat').fill(String(s.lat));
    await page.getByTestId('nearby-lng').fill(String(s.lng));
    await page.getByTestId('nearby-radius').fill('2');
    await page.getByTestId('nearby-sku').fill(low.sku);
    await page.getByTestId('nearby-submit').click();
    const nearbyRow = page.locator(`[data-testid="nearby-row"][data-location="${store}"]`);
    await nearbyRow.waitFor();
    expect(await nearbyRow.textContent()).toContain('0 公里');
    const api = (
      await ui.ok(
        'GET',
        `/v1/locations/nearby?lat=${s.lat}&lng=${s.lng}&radius_km=2&sku=${encodeURIComponent(low.sku)}`,
      )
    ).items;
    expect(await page.getByTestId('nearby-row').count()).toBe(api.length);
    expect(api.find((n: any) => n.location_id === store).online_available).toBe(3);
    expect(await page.getByTestId(`site-${store}`).getAttribute('class')).toContain('match');
    await page.getByTestId('search-point').waitFor();
    // A click on the map picks a point and searches there.
    const map = page.getByTestId('store-map');
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
    await expect.poll(() => page.getByTestId('nearby-lat').inputValue()).not.toBe(String(s.lat));
    expect(Number(await page.getByTestId('nearby-lat').inputValue())).toBeGreaterThan(30);
    await page.screenshot({ path: path.join(SHOTS, 'santong-stores-nearby.png'), fullPage: true });

    // An unpaid pickup order: paid from the console, then a return (too many first), then cancelled.
    const order = await ui.ok('POST', '/v1/orders', {
      channel: sold.channel,
      lines: [{ sku: sold.sku, qty: 1 }],
      fulfillment: { type: 'pickup', location_id: sold.location },
    });
    await page.goto(`${ui.server.url}/#/orders/${order.id}`);
    const od = page.getByTestId('order-detail');
    await expect.poll(() => od.getByTestId('order-detail-status').getAttribute('data-status')).toBe('pending_payment');
    await od.getByTestId('pay-ref').fill('e2e-pay-2');
    await od.getByTestId('pay-submit').click();
    await expect.poll(() => od.getByTestId('order-detail-status').getAttribute('data-status')).toBe('paid');
    expect((await ui.ok('GET', `/v1/orders/${order.id}`)).payment_ref).toBe('e2e-pay-2');
    await od.locator('[data-testid="timeline-event"][data-type="paid"]').waitFor();

    await od.getByTestId('return-open').click();
    await od.getByTestId(`return-qty-${sold.sku}`).fill('2');
    await od.getByTestId('return-location').selectOption(sold.location);
    await od.getByTestId('return-reason').fill('不想要了');
    await od.getByTestId('return-submit').click();
    const returnError = od.getByTestId('return-error');
    expect(await text(returnError)).toContain('退货数量超过可退数量');
    expect(await returnError.getAttribute('data-code')).toBe('return_exceeds_purchase');
    await od.getByTestId(`return-qty-${sold.sku}`).fill('1');
    await od.getByTestId('return-submit').click();
    await od.getByTestId('return-row').waitFor();
    expect(await text(od.getByTestId('order-detail-refunded'))).toBe(
      '-' + (await text(od.getByTestId('order-detail-total'))),
    );
    const returns = (await ui.ok('GET', `/v1/orders/${order.id}/returns`)).items;
    expect(returns).toHaveLength(1);
    expect(returns[0]).toMatchObject({
      location_id: sold.location,
      reason: '不想要了',
      refund_amount: order.totals.total,
    });

    await od.getByTestId('cancel-open').click();
    await od.getByTestId('cancel-reason').fill('顾客取消');
    await od.getByTestId('cancel-submit').click();
    await expect.poll(() => od.getByTestId('order-detail-status').getAttribute('data-status')).toBe('cancelled');
    expect(await od.getByTestId('cancel-open').count()).toBe(0);
    expect((await ui.ok('GET', `/v1/orders/${order.id}`)).status).toBe('cancelled');
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
