import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type ApiResponse, type TestServer } from '../../../test/server';
import { mask } from './identifiers';

/** Every role against every people route: who gets 2xx, who 403, and what the answers show. */
let s: TestServer;
const keys: Record<string, string> = {};
const ROLES = ['admin', 'marketer', 'store_staff', 'support', 'analyst', 'integration'] as const;
type Role = (typeof ROLES)[number];

const rand = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join('');
const phone = () => `17${rand(9)}`;
const P = phone();
const EMAIL = `roles.${rand(6)}@example.net`;
const NAME = '司马相如';
let person: string;

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s);
  keys.admin = s.adminKey;
  for (const role of ROLES.filter((r) => r !== 'admin')) {
    keys[role] = await s.keyFor(
      role,
      role === 'store_staff' ? { location_id: 'mid' } : role === 'integration' ? { channel: 'app' } : {},
    );
  }
  person = (
    await must(s, 'POST', '/v1/identify', {
      channel: 'app',
      identifiers: [
        { type: 'phone', value: P },
        { type: 'email', value: EMAIL },
      ],
      traits: { name: NAME, city: '杭州' },
    })
  ).customer_id;
});
afterAll(async () => s?.close());

const fresh = async () =>
  (await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: phone() }] }))
    .customer_id as string;

/** A merge to undo: a customer with a phone, then its member card linked to another customer. */
async function freshMerge(): Promise<{ id: string; merge_id: string }> {
  const p = phone();
  const card = `RC-${rand(8)}`;
  await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: p }] });
  await must(s, 'POST', '/v1/identify', { channel: 'pos', identifiers: [{ type: 'member_card', value: card }] });
  const m = await must(s, 'POST', '/v1/identify', {
    channel: 'app',
    identifiers: [
      { type: 'phone', value: p },
      { type: 'member_card', value: card },
    ],
  });
  return { id: m.customer_id, merge_id: m.merged[0].merge_id };
}

interface Case {
  route: string;
  allowed: readonly Role[];
  call(key: string, role: Role): Promise<ApiResponse>;
}

const PEOPLE: readonly Role[] = ['admin', 'marketer', 'store_staff', 'support', 'analyst'];
const api = (method: string, path: string, body: unknown, key: string) => s.api(method, path, body, { key });

const CASES: Case[] = [
  {
    route: 'POST /v1/identify',
    allowed: ['admin', 'store_staff', 'support', 'integration'],
    call: (k) => api('POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: P }] }, k),
  },
  { route: 'GET /v1/customers', allowed: PEOPLE, call: (k) => api('GET', '/v1/customers?limit=200', undefined, k) },
  {
    route: 'GET /v1/customers?q=',
    allowed: ['admin', 'store_staff', 'support'],
    call: (k) => api('GET', `/v1/customers?q=${P}`, undefined, k),
  },
  { route: 'GET /v1/customers/:id', allowed: PEOPLE, call: (k) => api('GET', `/v1/customers/${person}`, undefined, k) },
  {
    route: 'GET /v1/customers/lookup',
    allowed: ['admin', 'store_staff', 'support'],
    call: (k) => api('GET', `/v1/customers/lookup?type=email&value=${EMAIL}`, undefined, k),
  },
  {
    route: 'POST /v1/customers/:id/unmerge',
    allowed: ['admin', 'support'],
    async call(k, role) {
      const m = this.allowed.includes(role) ? await freshMerge() : { id: person, merge_id: 'mrg_whatever' };
      return api('POST', `/v1/customers/${m.id}/unmerge`, { merge_id: m.merge_id }, k);
    },
  },
  {
    route: 'PUT /v1/customers/:id/consents/:purpose',
    allowed: ['admin', 'store_staff', 'support', 'integration'],
    call: (k) =>
      api(
        'PUT',
        `/v1/customers/${person}/consents/marketing_push`,
        { granted: true, channel: 'app', source: 'roles_test' },
        k,
      ),
  },
  {
    route: 'GET /v1/customers/:id/consents',
    allowed: PEOPLE,
    call: (k) => api('GET', `/v1/customers/${person}/consents`, undefined, k),
  },
  {
    route: 'POST /v1/customers/:id/reveal',
    allowed: ['admin', 'support'],
    call: (k) => api('POST', `/v1/customers/${person}/reveal`, { type: 'phone', reason: 'verifying the caller' }, k),
  },
  {
    route: 'DELETE /v1/customers/:id',
    allowed: ['admin'],
    async call(k, role) {
      return api('DELETE', `/v1/customers/${this.allowed.includes(role) ? await fresh() : person}`, undefined, k);
    },
  },
  { route: 'GET /v1/audit', allowed: ['admin'], call: (k) => api('GET', '/v1/audit?limit=200', undefined, k) },
];

const RAW = [P, `+86${P}`, EMAIL, NAME];
const MASKED = [mask('phone', `+86${P}`), mask('email', EMAIL)];

/** Keys named value or masked holding a string, at any depth. */
function contactFields(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => contactFields(x, `${path}[${i}]`));
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) =>
      (k === 'value' || k === 'masked') && typeof x === 'string' ? [`${path}.${k}`] : contactFields(x, `${path}.${k}`),
    );
  }
  return [];
}

describe.each(CASES)('$route', (c) => {
  it.each(ROLES.map((role) => [role]))('%s', async (role) => {
    const r = await c.call(keys[role], role);
    const text = JSON.stringify(r.body);
    if (c.allowed.includes(role)) {
      expect(r.status, `${role} ${c.route}: ${text}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${role} ${c.route}: ${text}`).toBeLessThan(300);
    } else {
      expect(r.status, `${role} ${c.route}: ${text}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    if (role === 'marketer' || role === 'analyst') {
      for (const v of [...RAW, ...MASKED]) expect(text).not.toContain(v);
      expect(contactFields(r.body)).toEqual([]);
    }
    if (
      (role === 'store_staff' || role === 'integration' || (role === 'support' && !c.route.endsWith('/reveal'))) &&
      r.status < 300
    ) {
      for (const v of RAW) expect(text).not.toContain(v);
    }
  });
});

describe('role bindings', () => {
  it('shows what each role may see of the same person', async () => {
    const admin = await must(s, 'GET', `/v1/customers/${person}`);
    expect(admin.identifiers.map((i: { value: string }) => i.value).sort()).toEqual([`+86${P}`, EMAIL].sort());
    expect(admin.traits.name).toBe(NAME);
    const support = (await api('GET', `/v1/customers/${person}`, undefined, keys.support)).body;
    expect(support.identifiers.map((i: { masked: string }) => i.masked).sort()).toEqual([...MASKED].sort());
    expect(support.traits.name).not.toBe(NAME);
    expect(support.traits.city).toBe('杭州');
    expect(support.consents).toHaveLength(6);
  });

  it('binds integration keys to their channel', async () => {
    expect(
      (
        await api(
          'POST',
          '/v1/identify',
          { channel: 'pos', identifiers: [{ type: 'phone', value: P }] },
          keys.integration,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await api(
          'PUT',
          `/v1/customers/${person}/consents/marketing_push`,
          { granted: false, channel: 'web', source: 'sdk' },
          keys.integration,
        )
      ).status,
    ).toBe(403);
  });
});
