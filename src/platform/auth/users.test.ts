import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 20 }, mid: { MILK: 20 } });
}, 90_000);
afterAll(async () => s?.close());

const PASSWORD = 'a long enough passphrase';

interface Session {
  cookie: string;
  body: any;
  status: number;
  headers: Headers;
}

async function signIn(username: string, password: string): Promise<Session> {
  const res = await fetch(`${s.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const set = res.headers.get('set-cookie') ?? '';
  return { cookie: set.split(';')[0], body: await res.json(), status: res.status, headers: res.headers };
}

/** A call made the way the console makes it: the cookie, no key, and the CSRF header unless told. */
async function asUser(cookie: string, method: string, path: string, body?: unknown, csrf = true) {
  const headers: Record<string, string> = { cookie };
  if (csrf) headers['x-santong-console'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

let n = 0;
async function newUser(extra: Record<string, unknown> = {}) {
  n += 1;
  const r = await s.api('POST', '/v1/users', {
    username: `staff${n}`,
    password: PASSWORD,
    role: 'analyst',
    display_name: `Staff ${n}`,
    ...extra,
  });
  expect(r.status).toBe(201);
  return r.body as { id: string; username: string };
}

const auditOf = async (subject: string) =>
  (
    await s.santong.ctx.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_key', 'details'])
      .where('subject', '=', subject)
      .orderBy('id')
      .execute()
  ).map((r) => r.action);

describe('staff accounts', () => {
  it('an admin creates, lists, reads and changes accounts; the password is never answered', async () => {
    const created = await s.api('POST', '/v1/users', {
      username: 'Li.Na',
      password: PASSWORD,
      role: 'store_staff',
      location_id: 'near',
      display_name: '李娜',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'Li.Na',
      role: 'store_staff',
      location_id: 'near',
      display_name: '李娜',
      disabled: false,
    });
    expect(JSON.stringify(created.body)).not.toContain(PASSWORD);
    const id = created.body.id as string;
    const list = await s.api('GET', '/v1/users');
    expect(list.body.items.map((u: { id: string }) => u.id)).toContain(id);
    expect((await s.api('GET', `/v1/users/${id}`)).body.username).toBe('Li.Na');
    expect((await s.api('GET', '/v1/users/usr_nope')).status).toBe(404);
    const patched = await s.api('PATCH', `/v1/users/${id}`, { display_name: '李娜 (店长)' });
    expect([patched.status, patched.body.display_name]).toEqual([200, '李娜 (店长)']);
    // the stored hash is scrypt, not the password
    const row = await s.santong.ctx.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(row.password_hash).not.toContain(PASSWORD);
    expect(await auditOf(id)).toContain('user.create');
  });

  it('refuses bad accounts naming the field: short password, taken username, store staff without a store', async () => {
    const short = await s.api('POST', '/v1/users', {
      username: 'shorty',
      password: 'ninechars',
      role: 'analyst',
      display_name: 'S',
    });
    expect([short.status, short.body.error.field]).toEqual([422, 'password']);
    await newUser({ username: 'taken' });
    const taken = await s.api('POST', '/v1/users', {
      username: 'TAKEN',
      password: PASSWORD,
      role: 'analyst',
      display_name: 'T',
    });
    expect([taken.status, taken.body.error.field]).toEqual([409, 'username']);
    const noStore = await s.api('POST', '/v1/users', {
      username: 'nostore',
      password: PASSWORD,
      role: 'store_staff',
      display_name: 'N',
    });
    expect([noStore.status, noStore.body.error.field]).toEqual([422, 'location_id']);
    const integration = await s.api('POST', '/v1/users', {
      username: 'robot',
      password: PASSWORD,
      role: 'integration',
      display_name: 'R',
    });
    expect([integration.status, integration.body.error.field]).toEqual([400, 'role']);
    const resetShort = await s.api('PATCH', `/v1/users/${(await newUser()).id}`, { password: 'short' });
    expect([resetShort.status, resetShort.body.error.field]).toEqual([422, 'password']);
  });

  it('only admins manage accounts (keys and signed-in users alike)', async () => {
    const marketer = await s.keyFor('marketer');
    expect((await s.api('GET', '/v1/users', undefined, { key: marketer })).status).toBe(403);
    expect(
      (
        await s.api(
          'POST',
          '/v1/users',
          { username: 'x1', password: PASSWORD, role: 'admin', display_name: 'X' },
          { key: marketer },
        )
      ).status,
    ).toBe(403);
    const u = await newUser({ role: 'support' });
    const session = await signIn(u.username, PASSWORD);
    expect((await asUser(session.cookie, 'GET', '/v1/users')).status).toBe(403);
    expect((await asUser(session.cookie, 'PATCH', `/v1/users/${u.id}`, { role: 'admin' })).status).toBe(403);
  });
});

describe('password sign-in', () => {
  it('login sets an httpOnly SameSite=Strict cookie; me and the API answer as the user; logout revokes it', async () => {
    const u = await newUser({ role: 'marketer' });
    const session = await signIn(u.username, PASSWORD);
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ id: u.id, role: 'marketer' });
    expect(typeof session.body.expires_at).toBe('string');
    const cookie = session.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^santong_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure'); // plain http here
    const me = await asUser(session.cookie, 'GET', '/v1/auth/me');
    expect([me.status, me.body.user.id, me.body.expires_at]).toEqual([200, u.id, session.body.expires_at]);
    const keyMe = await asUser(session.cookie, 'GET', '/v1/me');
    expect(keyMe.body).toMatchObject({ role: 'marketer', location_id: null });
    // the session token is stored hashed
    const token = session.cookie.split('=')[1];
    const stored = await s.santong.ctx.database.db.selectFrom('user_sessions').select('token_hash').execute();
    expect(stored.some((r) => r.token_hash === token)).toBe(false);
    expect(stored.length).toBeGreaterThan(0);
    // marketers may not read audit (admin only): the same authorization layer as keys
    expect((await asUser(session.cookie, 'GET', '/v1/audit')).status).toBe(403);
    const out = await asUser(session.cookie, 'POST', '/v1/auth/logout');
    expect([out.status, out.body.signed_out]).toEqual([200, true]);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    const after = await asUser(session.cookie, 'GET', '/v1/auth/me');
    expect([after.status, after.body.error.code]).toEqual([401, 'session_expired']);
    expect(await auditOf(u.id)).toEqual(expect.arrayContaining(['auth.login', 'auth.logout']));
  });

  it('a wrong password and an unknown username get the same 401', async () => {
    const u = await newUser();
    const wrong = await signIn(u.username, 'not the password at all');
    const unknown = await signIn('nobody-here', PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.cookie).toBe('');
    const a = await auditOf(u.id);
    expect(a).toContain('auth.login_failed');
  });

  it('5 failures lock the account: 429 with Retry-After even for the right password, all audited', async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) expect((await signIn(u.username, 'wrong password ' + i)).status).toBe(401);
    const locked = await signIn(u.username, PASSWORD);
    expect([locked.status, locked.body.error.code]).toEqual([429, 'account_locked']);
    const retry = Number(locked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    const actions = await auditOf(u.id);
    expect(actions.filter((a) => a === 'auth.login_failed')).toHaveLength(5);
    expect(actions).toContain('auth.lockout');
    expect(actions).toContain('auth.login_refused_locked');
    // nothing in the audit log names the username or the password
    const rows = await s.santong.ctx.database.db.selectFrom('audit_log').select(['details', 'subject']).execute();
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(JSON.stringify(rows)).not.toContain(u.username + '"');
    // an admin's password reset lifts the lock
    expect((await s.api('PATCH', `/v1/users/${u.id}`, { password: 'another long passphrase' })).status).toBe(200);
    expect((await signIn(u.username, 'another long passphrase')).status).toBe(200);
  });

  it('disabling a user or resetting the password revokes its sessions', async () => {
    const u = await newUser();
    const one = await signIn(u.username, PASSWORD);
    expect((await asUser(one.cookie, 'GET', '/v1/auth/me')).status).toBe(200);
    expect((await s.api('PATCH', `/v1/users/${u.id}`, { password: 'brand new passphrase' })).status).toBe(200);
    expect((await asUser(one.cookie, 'GET', '/v1/auth/me')).status).toBe(401);
    expect((await signIn(u.username, PASSWORD)).status).toBe(401);
    const two = await signIn(u.username, 'brand new passphrase');
    expect(two.status).toBe(200);
    const disabled = await s.api('PATCH', `/v1/users/${u.id}`, { disabled: true });
    expect([disabled.status, disabled.body.disabled]).toEqual([200, true]);
    expect((await asUser(two.cookie, 'GET', '/v1/auth/me')).status).toBe(401);
    expect((await signIn(u.username, 'brand new passphrase')).status).toBe(401);
    await s.api('PATCH', `/v1/users/${u.id}`, { disabled: false });
    expect((await signIn(u.username, 'brand new passphrase')).status).toBe(200);
  });

  it('a session expires', async () => {
    const u = await newUser();
    const session = await signIn(u.username, PASSWORD);
    expect((await asUser(session.cookie, 'GET', '/v1/auth/me')).status).toBe(200);
    // the server's TTL is 12 h; move this session's expiry into the past as time would
    await s.santong.ctx.database.db
      .updateTable('user_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id)
      .execute();
    s.santong.app.forgetPrincipals();
    const r = await asUser(session.cookie, 'GET', '/v1/auth/me');
    expect([r.status, r.body.error.code]).toEqual([401, 'session_expired']);
  });

  it('a store-bound user is scoped like a store key', async () => {
    const u = await newUser({ role: 'store_staff', location_id: 'near' });
    const session = await signIn(u.username, PASSWORD);
    const own = await asUser(session.cookie, 'PUT', '/v1/stock/near/MILK', { on_hand: 12, safety_stock: 0 });
    expect(own.status).toBe(200);
    const other = await asUser(session.cookie, 'PUT', '/v1/stock/mid/MILK', { on_hand: 12, safety_stock: 0 });
    expect(other.status).toBe(403);
    expect((await asUser(session.cookie, 'GET', '/v1/me')).body).toMatchObject({
      role: 'store_staff',
      location_id: 'near',
    });
    // a change of store applies to the signed-in session too
    await s.api('PATCH', `/v1/users/${u.id}`, { location_id: 'mid' });
    expect((await asUser(session.cookie, 'PUT', '/v1/stock/mid/MILK', { on_hand: 11, safety_stock: 0 })).status).toBe(
      200,
    );
    expect((await asUser(session.cookie, 'PUT', '/v1/stock/near/MILK', { on_hand: 11, safety_stock: 0 })).status).toBe(
      403,
    );
  });

  it('a write with the cookie needs the CSRF header; reads do not', async () => {
    const u = await newUser({ role: 'admin' });
    const session = await signIn(u.username, PASSWORD);
    const noHeader = await asUser(session.cookie, 'PUT', '/v1/stock/near/MILK', { on_hand: 5, safety_stock: 0 }, false);
    expect([noHeader.status, noHeader.body.error.code]).toEqual([403, 'csrf_header_required']);
    expect((await asUser(session.cookie, 'GET', '/v1/users', undefined, false)).status).toBe(200);
    const logoutNoHeader = await asUser(session.cookie, 'POST', '/v1/auth/logout', undefined, false);
    expect(logoutNoHeader.status).toBe(403);
    const withHeader = await asUser(session.cookie, 'PUT', '/v1/stock/near/MILK', { on_hand: 5, safety_stock: 0 });
    expect(withHeader.status).toBe(200);
    // an admin signed in may not lock themselves out
    const self = await asUser(session.cookie, 'PATCH', `/v1/users/${u.id}`, { disabled: true });
    expect([self.status, self.body.error.field]).toEqual([422, 'disabled']);
  });
});
