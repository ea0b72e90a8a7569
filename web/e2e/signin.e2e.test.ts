import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchConsole, text, type ConsoleUnderTest } from './console';

/** Staff sign in with username and password (the session cookie), see the dashboard, manage accounts, sign out. */
let ui: ConsoleUnderTest;
beforeAll(async () => {
  ui = await launchConsole('signin');
}, 180_000);
afterAll(async () => ui?.close());

const PASSWORD = 'till three passphrase';

describe('password sign-in', () => {
  it('signs in with username and password, shows the dashboard, creates a staff account and signs out', async () => {
    await ui.ok('POST', '/v1/users', {
      username: 'manager',
      password: PASSWORD,
      role: 'admin',
      display_name: '店长',
    });
    const page = await ui.freshPage();
    // a wrong password: one message, in Chinese
    await page.getByTestId('signin-username').fill('manager');
    await page.getByTestId('signin-password').fill('not the password');
    await page.getByTestId('signin-login').click();
    expect(await text(page.getByTestId('signin-error'))).toBe('用户名或密码错误');
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-login').click();
    await page.getByTestId('nav-dashboard').waitFor();
    await page.getByTestId('kpi-30d-sales').waitFor();
    // the cookie is httpOnly: the page's script cannot read it, and no key is stored
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate("localStorage.getItem('santong.apiKey')")).toBe('cookie-session');
    const cookies = await ui.context.cookies(ui.server.url);
    const session = cookies.find((c) => c.name === 'santong_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');

    // an admin creates a store account in Settings (a write with the cookie and the CSRF header)
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('users-table').waitFor();
    await page.getByTestId('new-user-username').fill('till3');
    await page.getByTestId('new-user-display-name').fill('3 号收银');
    await page.getByTestId('new-user-password').fill('short');
    await page.getByTestId('new-user-submit').click();
    expect(await text(page.getByTestId('new-user-error'))).toBe('密码至少 10 个字符');
    await page.getByTestId('new-user-password').fill(PASSWORD);
    const store = (await ui.ok('GET', '/v1/locations')).items.find((l: any) => l.type === 'store');
    await page.getByTestId('new-user-location').selectOption(store.id);
    await page.getByTestId('new-user-submit').click();
    await page.getByTestId('user-row-till3').waitFor();
    const users = (await ui.ok('GET', '/v1/users')).items;
    expect(users.find((u: any) => u.username === 'till3')).toMatchObject({
      role: 'store_staff',
      location_id: store.id,
    });
    // disable it from the console
    await page.getByTestId('user-toggle-till3').click();
    await expect
      .poll(async () => (await ui.ok('GET', '/v1/users')).items.find((u: any) => u.username === 'till3').disabled)
      .toBe(true);

    // sign out: the session is revoked on the server, the sign-in page comes back
    await page.getByTestId('sign-out').click();
    await page.getByTestId('signin-username').waitFor();
    await expect
      .poll(async () => (await ui.context.cookies(ui.server.url)).find((c) => c.name === 'santong_session'))
      .toBeUndefined();
    const audit = (await ui.ok('GET', '/v1/audit?action=auth.')).items.map((e: any) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['auth.login', 'auth.login_failed', 'auth.logout']));
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });
});
