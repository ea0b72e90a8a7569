import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { IDEMPOTENCY_RETENTION_MS, purgeIdempotencyKeys } from '../idempotency/idempotency';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

describe('platform HTTP', () => {
  it('answers /health with the backend and version', async () => {
    const r = await s.api('GET', '/health', undefined, { key: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'ok',
      db: process.env.SANTONG_TEST_DB === 'postgres' ? 'postgres' : 'pglite',
      version: expect.any(String),
    });
  });

  it('requires a key on /v1 and rejects unknown keys', async () => {
    const none = await s.api('GET', '/v1/locations', undefined, { key: null });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const bad = await s.api('GET', '/v1/locations', undefined, { key: 'st_nope' });
    expect(bad.status).toBe(401);
  });

  it('forbids roles that may not call a route', async () => {
    const marketer = await s.keyFor('marketer');
    const r = await s.api('POST', '/v1/api-keys', { name: 'x', role: 'admin' }, { key: marketer });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
  });

  it('creates and revokes keys; a revoked key stops working at once', async () => {
    const created = await s.api('POST', '/v1/api-keys', { name: 'pos till 1', role: 'integration', channel: 'pos' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^st_/);
    expect((await s.api('GET', '/v1/locations', undefined, { key: created.body.key })).status).toBe(200);
    const revoked = await s.api('DELETE', `/v1/api-keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await s.api('GET', '/v1/locations', undefined, { key: created.body.key })).status).toBe(401);
    const list = await s.api('GET', '/v1/api-keys');
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
  });

  it('binds store_staff keys to a location and integration keys to a channel', async () => {
    const r1 = await s.api('POST', '/v1/api-keys', { name: 'staff', role: 'store_staff' });
    expect(r1.status).toBe(422);
    expect(r1.body.error.field).toBe('location_id');
    const r2 = await s.api('POST', '/v1/api-keys', { name: 'app', role: 'integration' });
    expect(r2.status).toBe(422);
    expect(r2.body.error.field).toBe('channel');
    const r3 = await s.api('POST', '/v1/api-keys', { name: 'staff', role: 'store_staff', location_id: 'nowhere' });
    expect(r3.status).toBe(422);
    expect(r3.body.error.code).toBe('unknown_location');
  });

  it('replays a finished request for a repeated Idempotency-Key and refuses a different body', async () => {
    const headers = { 'idempotency-key': 'create-key-1' };
    const first = await s.api('POST', '/v1/api-keys', { name: 'idem', role: 'analyst' }, { headers });
    const again = await s.api('POST', '/v1/api-keys', { name: 'idem', role: 'analyst' }, { headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    // the key's secret is shown once: the replay is the same key without it
    const { key: _secret, ...withoutSecret } = first.body;
    expect(again.body).toEqual(withoutSecret);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const keys = (await s.api('GET', '/v1/api-keys')).body.items.filter((k: { name: string }) => k.name === 'idem');
    expect(keys).toHaveLength(1);
    const other = await s.api('POST', '/v1/api-keys', { name: 'idem2', role: 'analyst' }, { headers });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('gives one answer to concurrent requests with the same Idempotency-Key and creates one key', async () => {
    const headers = { 'idempotency-key': 'race-1' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => s.api('POST', '/v1/api-keys', { name: 'race', role: 'analyst' }, { headers })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('idempotency_in_progress');
    const keys = (await s.api('GET', '/v1/api-keys')).body.items.filter((k: { name: string }) => k.name === 'race');
    expect(keys).toHaveLength(1);
  });

  it('keeps concurrent requests with different Idempotency-Keys apart (claimed and completed together) and replays each its own answer', async () => {
    const send = (i: number) =>
      s.api(
        'POST',
        '/v1/api-keys',
        { name: `many-${i}`, role: 'analyst' },
        { headers: { 'idempotency-key': `many-${i}` } },
      );
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => send(i)));
    expect(first.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(first.map((r) => r.body.id)).size).toBe(12);
    const again = await Promise.all(Array.from({ length: 12 }, (_, i) => send(i)));
    again.forEach((r, i) => {
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      const { key: _secret, ...withoutSecret } = first[i].body;
      expect(r.body).toEqual(withoutSecret);
    });
    const keys = (await s.api('GET', '/v1/api-keys')).body.items.filter((k: { name: string }) =>
      k.name.startsWith('many-'),
    );
    expect(keys).toHaveLength(12);
  });

  it('forgets Idempotency-Keys after the retention: a repeat then runs again', async () => {
    const headers = { 'idempotency-key': 'old-key-1' };
    const first = await s.api('POST', '/v1/api-keys', { name: 'retained', role: 'analyst' }, { headers });
    expect(first.status).toBe(201);
    const db = s.santong.ctx.database;
    // Within the retention nothing goes; a day and a minute later the key is gone.
    expect(await purgeIdempotencyKeys(db, new Date())).toBe(0);
    expect(
      await purgeIdempotencyKeys(db, new Date(Date.now() + IDEMPOTENCY_RETENTION_MS + 60_000), 1),
    ).toBeGreaterThanOrEqual(1);
    const left = await db.db.selectFrom('idempotency_keys').select('key').where('key', '=', 'old-key-1').execute();
    expect(left).toEqual([]);
    const again = await s.api('POST', '/v1/api-keys', { name: 'retained', role: 'analyst' }, { headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.id).not.toBe(first.body.id);
  });

  it('serves OpenAPI docs that list the routes', async () => {
    const r = await s.api('GET', '/docs/json', undefined, { key: null });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/v1/api-keys', '/v1/webhooks', '/v1/analytics/dashboard', '/v1/orders', '/health']),
    );
  });

  it('answers unknown routes with the error shape', async () => {
    const r = await s.api('GET', '/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });
});
