import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allProducts, launchConsole, SHOTS, text, type ConsoleUnderTest } from './console';

/**
 * The security page in a real (headless) Chromium against a real server: a support key that reads
 * more personal data than allowed is blocked and its alert shown; the admin clears it from the
 * console (the key reads again), switches the bulk-access mode, and declares a personal-data trait.
 * Needs the built console: npx vite build --config web/vite.config.ts
 */

/** Low enough to cross in a few reads; the admin's own console use here reads no personal data. */
const LIMIT = 3;
const PHONE = '13977665544';
const TRAIT = 'wechat_nickname';

let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('security', { env: { SANTONG_BULK_ACCESS_LIMIT: String(LIMIT) } });
});
afterAll(async () => ui?.close());

describe('the security page', () => {
  it('shows a bulk-access alert, clears it (unblocking the key) and switches the bulk-access mode', async () => {
    await ui.ok('POST', '/v1/identify', { identifiers: [{ type: 'phone', value: PHONE }], channel: 'app' }, 200);
    const support = await ui.server.keyFor('support');
    const supportId = (await ui.ok('GET', '/v1/me', undefined, 200, support)).key_id;
    const lookup = () =>
      ui.server.api('GET', `/v1/customers/lookup?type=phone&value=${PHONE}`, undefined, { key: support });
    expect((await ui.ok('GET', '/v1/security/settings')).bulk_access_mode).toBe('block');
    for (let i = 0; i < LIMIT; i++) expect((await lookup()).status).toBe(200);
    // One read too many: refused, and the key blocked until an admin clears its alert.
    expect((await lookup()).status).toBe(429);
    expect((await lookup()).body.error.code).toBe('bulk_access_blocked');

    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-security').click();
    const row = page.locator(`[data-testid="security-alert-row"][data-key="${supportId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-kind')).toBe('bulk_access');
    const rowText = await text(row);
    expect(rowText).toContain('批量读取个人数据');
    expect(rowText).toContain('test support');
    expect(rowText).toContain('已拦截');
    expect(rowText).toContain(`读取 ${LIMIT + 1} 次（上限 ${LIMIT}）`);
    await page.screenshot({ path: path.join(SHOTS, 'security-alert.png'), fullPage: true });

    page.once('dialog', (d) => void d.accept());
    await row.getByTestId('security-clear').click();
    await row.waitFor({ state: 'detached' });
    await page.getByTestId('security-no-alerts').waitFor();
    expect((await ui.ok('GET', '/v1/security/alerts')).items).toEqual([]);
    expect((await lookup()).status).toBe(200);
    const cleared = (await ui.ok('GET', '/v1/audit?action=security.alert_cleared')).items;
    expect(cleared).toMatchObject([{ subject: supportId, details: { kind: 'bulk_access' } }]);

    // Alert only: the key keeps reading past the limit and an alert is raised that does not block.
    expect(await page.getByTestId('bulk-mode-block').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('bulk-mode-alert').click();
    await page.locator('[data-testid="bulk-mode-alert"][aria-pressed="true"]').waitFor();
    expect(await text(page.getByTestId('bulk-mode-hint'))).toBe('记录告警，密钥继续可用');
    expect((await ui.ok('GET', '/v1/security/settings')).bulk_access_mode).toBe('alert');
    for (let i = 0; i < LIMIT; i++) expect((await lookup()).status).toBe(200);
    const open = (await ui.ok('GET', '/v1/security/alerts')).items;
    expect(open).toMatchObject([{ key_id: supportId, kind: 'bulk_access', blocking: false }]);
    await page.reload();
    const again = page.locator(`[data-testid="security-alert-row"][data-key="${supportId}"]`);
    await again.waitFor();
    expect(await text(again)).not.toContain('已拦截');
    expect(ui.pageErrors).toEqual([]);
  });

  it('lists built-in traits with their classification and declares a personal-data trait', async () => {
    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-security').click();
    await page.getByTestId('traits-table').waitFor();
    const builtin = (await ui.ok('GET', '/v1/traits')).items;
    expect(await page.getByTestId('trait-row').count()).toBe(builtin.length);
    expect(builtin.some((d: any) => d.key === TRAIT)).toBe(false);

    // A key the server would refuse is caught in the form.
    await page.getByTestId('trait-key').fill('WeChat-Nick');
    await page.getByTestId('trait-submit').click();
    await page.getByTestId('trait-key-invalid').waitFor();

    await page.getByTestId('trait-key').fill(TRAIT);
    await page.getByTestId('trait-classification').selectOption('pii');
    await page.getByTestId('trait-submit').click();
    const row = page.locator(`[data-testid="trait-row"][data-key="${TRAIT}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-classification')).toBe('pii');
    expect(await text(row)).toContain('个人信息');
    expect(await text(row)).toContain('自定义');
    const declared = (await ui.ok('GET', '/v1/traits')).items.find((d: any) => d.key === TRAIT);
    expect(declared).toEqual({ key: TRAIT, classification: 'pii', type: 'string', builtin: false });

    // A declaration never changes: declaring it again as plain is refused, in words.
    await page.getByTestId('trait-key').fill(TRAIT);
    await page.getByTestId('trait-classification').selectOption('plain');
    await page.getByTestId('trait-submit').click();
    const refused = page.locator('[data-testid="trait-form"] [data-testid="action-error"]');
    expect(await refused.getAttribute('data-code')).toBe('trait_declared');
    expect(await text(refused)).toContain('声明后不可更改');
    expect(await row.getAttribute('data-classification')).toBe('pii');

    await page.getByTestId('lang-en').first().click();
    expect(await text(row)).toContain('personal data');
    await page.screenshot({ path: path.join(SHOTS, 'security-traits-en.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });

  it('says in words which order a store key guessed pickup codes for', async () => {
    // A paid pickup order ready at a store, and that store's staff typing 5 wrong codes.
    const stores = (await ui.ok('GET', '/v1/locations')).items.filter(
      (l: any) => l.type !== 'dc' && l.capabilities.pickup,
    );
    let chosen: { sku: string; store: string } | null = null;
    for (const p of (await allProducts(ui)).filter((x) => x.channels.includes('app'))) {
      const stock = await ui.ok('GET', `/v1/stock/${encodeURIComponent(p.sku)}`);
      const level = stock.locations.find(
        (l: any) => stores.some((st: any) => st.id === l.location_id) && l.online_available >= 1,
      );
      if (level) {
        chosen = { sku: p.sku, store: level.location_id };
        break;
      }
    }
    const { sku, store } = chosen!;
    const order = await ui.ok('POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku, qty: 1 }],
      fulfillment: { type: 'pickup', location_id: store },
    });
    const paid = await ui.ok('POST', `/v1/orders/${order.id}/pay`, { payment_ref: `e2e-guess-${order.id}` }, 200);
    const f = paid.allocations[0].fulfillment_id;
    for (const type of ['picked', 'ready_for_pickup'])
      await ui.ok('POST', `/v1/fulfillments/${f}/events`, { type }, 200);
    const staff = await ui.server.keyFor('store_staff', { location_id: store });
    const wrong = (i: number) => String((Number(order.pickup_code) + 1 + i) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      const r = await ui.server.api('POST', `/v1/fulfillments/${f}/collect`, { pickup_code: wrong(i) }, { key: staff });
      expect(r.status).toBe(i < 4 ? 422 : 429);
    }

    const page = await ui.signedIn(ui.server.adminKey);
    await page.getByTestId('nav-security').click();
    const row = page.locator('[data-testid="security-alert-row"][data-kind="pickup_code_guessing"]');
    expect(await text(row)).toContain('取货码猜测');
    expect(await text(row)).toContain('取货码连续错误 5 次，锁定至');
    expect(await text(row.getByTestId('security-alert-order'))).toBe(order.id);
    await page.screenshot({ path: path.join(SHOTS, 'security-pickup-guessing.png'), fullPage: true });
    expect(ui.pageErrors).toEqual([]);
  });

  it('is offered to admins only', async () => {
    const page = await ui.signedIn(await ui.server.keyFor('support'));
    expect(await page.getByTestId('nav-security').count()).toBe(0);
    await page.goto(ui.server.url + '/#/security');
    await page.getByTestId('forbidden').first().waitFor();
    expect(ui.pageErrors).toEqual([]);
  });
});
