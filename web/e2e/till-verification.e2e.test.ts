import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * Linking a new e-mail to a member at the till in a real (headless) Chromium: store staff are not a
 * trusted caller, so the link is withheld until the member reads back the one-time code sent to the
 * phone they were found by. The SMS gateway is a third party: a small local stand-in records messages.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

const PHONE = '13966554433';
const EMAIL = 'e2e-till-member@example.com';

/** The SMS gateway's side: the texts the server asked it to send, by recipient. */
const sent: { to: { type: string; value: string }; text: string }[] = [];
const gateway = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    sent.push(JSON.parse(body));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

let ui: ConsoleUnderTest;
beforeAll(async () => {
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;
  ui = await launchConsole('till-verification', {
    env: { SANTONG_SMS_WEBHOOK_URL: url, SANTONG_SMS_WEBHOOK_SECRET: 'e2e-sms-gateway-secret' },
  });
});
afterAll(async () => {
  await ui?.close();
  await new Promise<void>((r) => gateway.close(() => r()));
});

describe('linking at the till', () => {
  it('withholds a new e-mail until the member gives the codes sent to their phone and to it, then links it', async () => {
    const member = (
      await ui.ok('POST', '/v1/identify', { identifiers: [{ type: 'phone', value: PHONE }], channel: 'app' }, 200)
    ).customer_id;
    const store = (await ui.ok('GET', '/v1/locations')).items.find((l: any) => l.type === 'store').id;
    const page = await ui.signedIn(await ui.server.keyFor('store_staff', { location_id: store }));
    await page.getByTestId('nav-till').click();
    await page.getByTestId('till-lookup-value').fill(PHONE);
    await page.getByTestId('till-lookup-submit').click();
    await page.locator(`[data-testid="till-member"][data-customer="${member}"]`).waitFor();

    await page.getByTestId('till-link-open').click();
    await page.getByTestId('till-link-type').selectOption('email');
    await page.getByTestId('till-link-value').fill(EMAIL);
    await page.getByTestId('till-link-submit').click();
    expect(await text(page.getByTestId('till-link-pending'))).toContain('需要会员验证');
    const emails = async () =>
      (await ui.ok('GET', `/v1/customers/${member}`)).identifiers.filter((i: any) => i.type === 'email');
    expect(await emails()).toEqual([]);

    // Both get a code: the member's phone, and the new e-mail (its separate profile may be someone else's).
    const proofs = page.getByTestId('till-link-proof');
    expect(await proofs.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual(['phone', 'email']);
    await proofs.nth(0).getByTestId('till-link-send').click();
    await proofs.nth(0).getByTestId('till-link-code').waitFor();
    await proofs.nth(1).getByTestId('till-link-send').click();
    await proofs.nth(1).getByTestId('till-link-code').waitFor();
    expect(sent.map((m) => m.to)).toEqual([
      { type: 'phone', value: `+86${PHONE}` },
      { type: 'email', value: EMAIL },
    ]);
    const [phoneCode, emailCode] = sent.map((m) => /\d{6}/.exec(m.text)![0]);
    await page.screenshot({ path: path.join(SHOTS, 'till-link-pending.png'), fullPage: true });

    // A wrong code is refused in words; the right ones link the e-mail to the member.
    await proofs
      .nth(0)
      .getByTestId('till-link-code')
      .fill(phoneCode === '000000' ? '111111' : '000000');
    await proofs.nth(1).getByTestId('till-link-code').fill(emailCode);
    await page.getByTestId('till-link-verify').click();
    const refused = page.getByTestId('till-link-error');
    expect(await refused.getAttribute('data-code')).toBe('wrong_code');
    expect(await text(refused)).toContain('验证码不正确');
    await proofs.nth(0).getByTestId('till-link-code').fill(phoneCode);
    await page.getByTestId('till-link-verify').click();
    await page.getByTestId('till-link-done').waitFor();
    await page.locator('[data-testid="till-member"] [data-testid="identifier-chip"][data-type="email"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'till-link.png'), fullPage: true });

    expect(await emails()).toMatchObject([{ value: EMAIL }]);
    expect((await ui.ok('GET', `/v1/customers/lookup?type=email&value=${EMAIL}`)).id).toBe(member);
    expect(ui.pageErrors).toEqual([]);
  });

  it("shows a member's points balance and sells with the most points usable, spending exactly them", async () => {
    const phone = '13966554499';
    const stores = new Set(
      (await ui.ok('GET', '/v1/locations')).items.filter((l: any) => l.type === 'store').map((l: any) => l.id),
    );
    let chosen: { sku: string; store: string } | null = null;
    for (const p of await allProducts(ui)) {
      if (!p.channels.includes('pos') || p.list_price < 1000) continue;
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find((l: any) => stores.has(l.location_id) && l.available >= 1);
      if (level) {
        chosen = { sku: p.sku, store: level.location_id };
        break;
      }
    }
    expect(chosen).not.toBeNull();
    const { sku, store } = chosen!;
    const member = (
      await ui.ok('POST', '/v1/identify', { identifiers: [{ type: 'phone', value: phone }], channel: 'app' }, 200)
    ).customer_id;
    await ui.ok('POST', '/v1/points/adjust', { customer: { id: member }, points: 1_000_000, reason: 'e2e' });
    const before = (await ui.ok('GET', `/v1/customers/${member}/points`)).balance;

    const page = await ui.signedIn(await ui.server.keyFor('store_staff', { location_id: store }));
    await page.getByTestId('nav-till').click();
    await page.getByTestId('till-lookup-value').fill(phone);
    await page.getByTestId('till-lookup-submit').click();
    await page.locator(`[data-testid="till-member"][data-customer="${member}"]`).waitFor();
    // The tier in Chinese (its display name), not the data's English name.
    const tier = page.getByTestId('wallet-tier');
    await tier.waitFor();
    expect(await tier.getAttribute('data-tier')).toBe('member');
    expect(await text(tier)).toContain('普通会员');
    expect(await text(tier)).not.toContain('Member');
    await page.getByTestId('till-sku').fill(sku);
    await page.getByTestId('till-add').click();
    await page.locator(`[data-testid="till-line"][data-sku="${sku}"]`).waitFor();
    // Before any points are typed, the quote already answers the balance and the most usable.
    const balance = page.getByTestId('till-points-balance');
    await balance.waitFor();
    expect(Number(await balance.getAttribute('data-balance'))).toBe(before);
    const max = page.getByTestId('till-points-max');
    await max.waitFor();
    const usable = Number(await max.getAttribute('data-points'));
    expect(usable).toBeGreaterThan(0);
    expect(await text(max)).toContain('使用最多积分');
    await max.click();
    await page.locator('[data-testid="quote-adjustment"][data-type="points"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'till-max-points.png'), fullPage: true });
    await page.getByTestId('till-place').click();
    const orderId = await text(page.getByTestId('till-receipt').getByTestId('till-order-id'));
    const order = await ui.ok('GET', `/v1/orders/${orderId}`);
    expect(order.totals.points_used).toBe(usable);
    expect(order.totals.points_discount).toBeGreaterThan(0);
    expect(ui.pageErrors).toEqual([]);
  });
});
