import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { MATRIX, type Rule } from './matrix';
import { ROLES, type Role } from './roles';
import { SCOPES } from './scopes';

/**
 * Walks every route of the OpenAPI document × every role (× own and another store's or channel's
 * resource) and checks the answer against src/platform/auth/matrix.ts: 403 where the matrix
 * denies, anything else where it allows. Writes carry a body no route accepts, so an allowed call
 * is refused by validation (400) and changes nothing, while a denied one must still be 403.
 */
let s: TestServer;
const keys = {} as Record<Role | 'granted' | 'none', string>;
// Store staff of 'near'; an app integration key with its defaults, one granted every scope, one with none.
const own = { location: 'near', order: '', fulfilment: '' };
const other = { location: 'mid', order: '', fulfilment: '' };
let routes: string[] = [];

beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  await setupGoods(s, { near: { MILK: 20 }, mid: { MILK: 20 } });
  // An app order picked up at near (own for both), a web order picked up at mid (another's for both).
  const mine = await must(s, 'POST', '/v1/orders', {
    channel: 'app',
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'near' },
  });
  const theirs = await must(s, 'POST', '/v1/orders', {
    channel: 'web',
    lines: [{ sku: 'MILK', qty: 1 }],
    fulfillment: { type: 'pickup', location_id: 'mid' },
  });
  [own.order, own.fulfilment, other.order, other.fulfilment] = [
    mine.id,
    mine.allocations[0].fulfillment_id,
    theirs.id,
    theirs.allocations[0].fulfillment_id,
  ];
  for (const role of ROLES) {
    keys[role] =
      role === 'admin'
        ? s.adminKey
        : await s.keyFor(
            role,
            role === 'store_staff' ? { location_id: 'near' } : role === 'integration' ? { channel: 'app' } : {},
          );
  }
  const appKey = async (scopes: readonly string[]) =>
    (
      await must(s, 'POST', '/v1/api-keys', {
        name: `app ${scopes.length}`,
        role: 'integration',
        channel: 'app',
        scopes,
      })
    ).key as string;
  [keys.granted, keys.none] = [await appKey(SCOPES), await appKey([])];
  const doc = (await (await fetch(`${s.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
});
afterAll(async () => s?.close());

/** The path with its parameters filled: the caller's own resource or another's. */
function pathFor(path: string, which: typeof own): string {
  const collection = path.split('/')[2];
  const ids: Record<string, string> = {
    orders: which.order,
    fulfillments: which.fulfilment,
    locations: which.location,
    stores: which.location,
  };
  return path
    .replace('{id}', ids[collection] ?? 'nope_matrix') // customers, keys, webhooks, templates: none exists, so nothing changes
    .replace('{location_id}', which.location)
    .replace('{period}', '2026-11')
    .replace('{sku}', 'MILK')
    .replace('{code}', 'NOPE')
    .replace('{purpose}', 'marketing')
    .replace('{tag}', 'matrix');
}

async function call(route: string, key: string, which: typeof own): Promise<number> {
  const [method, path] = route.split(' ');
  const write = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const r = await s.api(method, pathFor(path, which), write ? { matrix_probe: true } : undefined, { key });
  return r.status;
}

/** What the answers should be for one role: [key, resource, denied?]. */
function cases(role: Role, { who, scope }: Rule): [string, typeof own, boolean][] {
  const access = who[role];
  // An integration key without scopes may call exactly the routes that name none.
  const unscoped: [string, typeof own, boolean][] =
    role === 'integration' && access !== undefined ? [[keys.none, own, scope !== undefined]] : [];
  // Keys bound to a store or channel try another's too: `yes` means any, `own` their own only.
  const bound = role === 'store_staff' || role === 'integration';
  if (access === 'yes')
    return bound ? [[keys[role], own, false], [keys[role], other, false], ...unscoped] : [[keys[role], own, false]];
  if (access === 'own') return [[keys[role], own, false], [keys[role], other, true], ...unscoped];
  if (access === 'scope')
    return [
      [keys[role], own, true],
      [keys.granted, own, false],
    ];
  return [[keys[role], own, true]];
}

describe('the authorization matrix', () => {
  it('lists every route of the API, and nothing else', () => {
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((r) => !(r in MATRIX) && !r.startsWith('GET /docs'))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('answers every route × role × own/other resource as the matrix says (403 before the body is read)', async () => {
    const wrong: string[] = [];
    const scoped = routes.filter((r) => MATRIX[r] && MATRIX[r] !== 'public');
    await Promise.all(
      scoped.map(async (route) => {
        const rule = MATRIX[route] as Rule;
        for (const role of ROLES) {
          for (const [key, which, denied] of cases(role, rule)) {
            const status = await call(route, key, which);
            if ((status === 403) !== denied || status === 401 || status >= 500) {
              const who =
                key === keys.granted
                  ? 'integration with every scope'
                  : key === keys.none
                    ? 'integration without scopes'
                    : role;
              wrong.push(`${route} as ${who} on ${which === own ? 'own' : 'other'}: ${status}`);
            }
          }
        }
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('refuses a role before reading a body that is not even JSON', async () => {
    const r = await s.api('POST', '/v1/orders', undefined, { key: keys.marketer, raw: '{not json' });
    expect([r.status, r.body.error.code]).toEqual([403, 'forbidden']);
    const staff = await s.api('POST', `/v1/orders/${other.order}/pay`, undefined, { key: keys.store_staff, raw: '{' });
    expect(staff.status).toBe(403);
  });
});
