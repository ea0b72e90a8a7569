import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, yuan, type ConsoleUnderTest } from './console';

/**
 * 社区团购 in a real (headless) Chromium over the small demo retailer (its leaders and running
 * campaign): create a campaign, a member orders through a leader and pays, the leader's share link
 * opens the public page on a phone, cut off and ship, the store confirms the arrival, the order is
 * on the store's pickup list and is collected at the store's counter with its code.
 */

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('groupbuy');
});
afterAll(async () => ui?.close());

describe('community group-buy', () => {
  it('runs a campaign from creation to a collected order', async () => {
    const demo = await ui.ok('GET', '/v1/group-buy/campaigns/gbc-demo-1');
    const leader = await ui.ok('GET', '/v1/group-buy/leaders/gbl-demo-1');
    const dc = demo.source_location_id as string;
    // The demo campaign's item with the most units online at the DC.
    const atDc = async (sku: string) =>
      (await ui.ok('GET', `/v1/stock/${sku}`)).locations.find((l: { location_id: string }) => l.location_id === dc)
        ?.online_available ?? 0;
    const stocked = await Promise.all(
      demo.items.map(async (i: { sku: string }) => ({ sku: i.sku, n: await atDc(i.sku) })),
    );
    const sku = stocked.sort((a, b) => b.n - a.n)[0].sku as string;
    expect(await atDc(sku)).toBeGreaterThanOrEqual(2);

    const page = await ui.signedIn(ui.server.adminKey);
    page.setDefaultTimeout(15_000);
    await page.getByTestId('nav-groupbuy').click();
    expect(await text(page.locator('h1').first())).toBe('社区团购');
    await page.getByTestId('gb-row-gbc-demo-1').waitFor();
    await page.getByTestId('gb-new').click();
    await page.getByTestId('gb-title').fill('周末鲜果团');
    await page.getByTestId('gb-sku').fill(sku);
    await page.getByTestId('gb-price').fill('9.90');
    await page.getByTestId('gb-total').fill('50');
    await page.getByTestId('gb-per-customer').fill('2');
    await page.getByTestId('gb-source').selectOption(dc);
    await page.getByTestId('gb-create').click();
    await page.getByTestId('gb-campaign').waitFor();
    const id = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
    const campaign = await ui.ok('GET', `/v1/group-buy/campaigns/${id}`);
    expect(campaign.items[0]).toMatchObject({ sku, price: 990, total_limit: 50, per_customer_limit: 2 });

    // A member orders through the leader in the mini-program and pays.
    const member = await ui.ok(
      'POST',
      '/v1/identify',
      {
        channel: 'mini_program',
        identifiers: [{ type: 'phone', value: '13900099001' }],
      },
      200,
    );
    const order = await ui.ok('POST', '/v1/orders', {
      channel: 'group_buy',
      customer: { id: member.customer_id },
      lines: [{ sku, qty: 2 }],
      fulfillment: { type: 'pickup', location_id: leader.location_id },
      group_buy: { campaign_id: id, leader_id: leader.id },
    });
    expect(order.lines[0].unit_price).toBe(990);
    await ui.ok('POST', `/v1/orders/${order.id}/pay`, { payment_ref: 'wx-gb-e2e-1' }, 200);
    await page.reload();
    await expect.poll(() => text(page.getByTestId(`gb-sold-${sku}`))).toBe('2 / 50');

    // The leader's share link opens the public page on a phone, without a key, in Chinese.
    const shareUrl = (await page.getByTestId(`gb-share-${leader.id}`).getAttribute('href'))!;
    const point = (await ui.ok('GET', '/v1/locations')).items.find((l: any) => l.id === leader.location_id);
    const phone = await ui.context.newPage();
    phone.on('pageerror', (err) => ui.pageErrors.push(err.message));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.setExtraHTTPHeaders({ 'accept-language': 'zh-CN,zh;q=0.9' });
    expect((await phone.goto(shareUrl))!.status()).toBe(200);
    expect(await text(phone.locator('h1'))).toBe('周末鲜果团');
    const shared = await text(phone.locator('main'));
    expect(shared).toContain(`团长 ${leader.display_name}`);
    expect(shared).toContain(point.name);
    expect(shared).toContain(campaign.pickup_date);
    expect(await text(phone.locator('.price').first())).toBe(yuan(990));
    expect(await text(phone.locator('.item .meta').first())).toBe('已团 2 件 · 限量 50 件 · 每人限 2 件');
    expect(await phone.locator('a.buy').first().getAttribute('href')).toContain(`leader=${leader.id}`);
    await phone.screenshot({ path: path.join(SHOTS, 'gb-share-zh.png'), fullPage: true });
    await phone.locator('a.lang').click();
    await expect.poll(() => text(phone.locator('main'))).toContain('Pickup point');
    await phone.screenshot({ path: path.join(SHOTS, 'gb-share-en.png'), fullPage: true });
    await phone.close();

    // Cut off and ship, then the store confirms the arrival.
    await page.getByTestId('gb-ship').click();
    await expect.poll(() => text(page.getByTestId(`gb-point-${leader.location_id}`))).toContain('在途');
    await expect.poll(() => text(page.getByTestId(`gb-row-${id}`))).toContain('已发货');
    await page.getByTestId(`gb-receive-${leader.location_id}`).click();
    await expect.poll(() => text(page.getByTestId(`gb-point-${leader.location_id}`))).toContain('已到店');

    // The store's pickup list for the pickup day shows the order, ready for pickup.
    await page.getByTestId('gb-pickups-location').selectOption(leader.location_id);
    await page.getByTestId('gb-pickups-date').fill(campaign.pickup_date);
    await expect.poll(() => text(page.getByTestId(`gb-pickup-${order.id}`))).toContain('待自提');
    await page.screenshot({ path: path.join(SHOTS, 'gb-campaign-zh.png'), fullPage: true });

    // Collected at the store's counter with the member's code, in the store's own console.
    const detail = await ui.ok('GET', `/v1/orders/${order.id}`);
    const fulfilmentId = detail.allocations[0].fulfillment_id as string;
    const counterKey = await ui.ok('POST', '/v1/api-keys', {
      name: 'e2e group-buy counter',
      role: 'store_staff',
      location_id: leader.location_id,
    });
    const staff = await ui.signedIn(counterKey.key);
    staff.setDefaultTimeout(15_000);
    await staff.getByTestId('nav-store').click();
    const atCounter = staff.getByTestId('section-counter').locator(`[data-fulfilment="${fulfilmentId}"]`);
    await atCounter.getByTestId('handover-code').fill(detail.pickup_code);
    await atCounter.getByTestId('handover-submit').click();
    await staff.getByTestId('section-done').locator(`[data-fulfilment="${fulfilmentId}"]`).waitFor();
    expect((await ui.ok('GET', `/v1/orders/${order.id}`)).status).toBe('completed');
    // The store's own pickup list (its store only, no choice of point) shows it completed.
    await staff.getByTestId('nav-groupbuy').click();
    expect(await staff.getByTestId('gb-pickups-location').count()).toBe(0);
    await staff.getByTestId('gb-pickups-date').fill(campaign.pickup_date);
    await expect.poll(() => text(staff.getByTestId(`gb-pickup-${order.id}`))).toContain('已完成');
    await staff.screenshot({ path: path.join(SHOTS, 'gb-store-pickups-zh.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });
});
