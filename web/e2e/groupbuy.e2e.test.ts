import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * 社区团购 in a real (headless) Chromium over the small demo retailer (its leaders and running
 * campaign): create a campaign, a member orders through a leader and pays, cut off and ship, the
 * store confirms the arrival, the order is on the store's pickup list and is collected.
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

    // Cut off and ship, then the store confirms the arrival.
    await page.getByTestId('gb-ship').click();
    await expect.poll(() => text(page.getByTestId(`gb-point-${leader.location_id}`))).toContain('在途');
    await page.getByTestId(`gb-receive-${leader.location_id}`).click();
    await expect.poll(() => text(page.getByTestId(`gb-point-${leader.location_id}`))).toContain('已到店');

    // The store's pickup list for the pickup day shows the order, ready for pickup.
    await page.getByTestId('gb-pickups-location').selectOption(leader.location_id);
    await page.getByTestId('gb-pickups-date').fill(campaign.pickup_date);
    await expect.poll(() => text(page.getByTestId(`gb-pickup-${order.id}`))).toContain('待自提');
    await page.screenshot({ path: path.join(SHOTS, 'gb-campaign-zh.png'), fullPage: true });

    // Collected at the counter with its code.
    const detail = await ui.ok('GET', `/v1/orders/${order.id}`);
    await ui.ok(
      'POST',
      `/v1/fulfillments/${detail.allocations[0].fulfillment_id}/collect`,
      {
        pickup_code: detail.pickup_code,
      },
      200,
    );
    await page.reload();
    await page.getByTestId('gb-pickups-location').selectOption(leader.location_id);
    await page.getByTestId('gb-pickups-date').fill(campaign.pickup_date);
    await expect.poll(() => text(page.getByTestId(`gb-pickup-${order.id}`))).toContain('已完成');
    expect(ui.pageErrors).toEqual([]);
  });
});
