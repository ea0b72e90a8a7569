import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from '../../../test/server';
import { canonicalJson } from './idempotency';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
});
afterAll(async () => s?.close());

describe('idempotency', () => {
  it('never stores a new API key secret: a replay answers the key without it and says so', async () => {
    const headers = { 'idempotency-key': 'secret-once-1' };
    const first = await s.api('POST', '/v1/api-keys', { name: 'secret once', role: 'analyst' }, { headers });
    expect(first.status).toBe(201);
    expect(first.body.key).toMatch(/^st_/);
    expect(first.headers.get('idempotent-secret-omitted')).toBeNull();
    const again = await s.api('POST', '/v1/api-keys', { name: 'secret once', role: 'analyst' }, { headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('idempotent-secret-omitted')).toBe('key');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.key_prefix).toBe(first.body.key_prefix);
    expect(again.body).not.toHaveProperty('key');
    // the whole idempotency table, as text, holds no trace of the secret
    const dump = await sql<{
      t: string;
    }>`SELECT coalesce(string_agg(k::text, '|'), '') AS t FROM idempotency_keys k`.execute(s.santong.ctx.database.db);
    expect(dump.rows[0].t).toContain(first.body.id);
    expect(dump.rows[0].t).not.toContain(first.body.key);
    // the secret still works: it was shown once, not lost
    expect((await s.api('GET', '/v1/me', undefined, { key: first.body.key })).status).toBe(200);
  });

  it('treats a body with its keys reordered as the same request (replay, not 409)', async () => {
    const headers = { 'idempotency-key': 'reordered-1' };
    const first = await s.api(
      'POST',
      '/v1/api-keys',
      { name: 'reordered', role: 'integration', channel: 'pos' },
      { headers },
    );
    expect(first.status).toBe(201);
    const again = await s.api(
      'POST',
      '/v1/api-keys',
      { channel: 'pos', role: 'integration', name: 'reordered' },
      { headers },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const other = await s.api(
      'POST',
      '/v1/api-keys',
      { channel: 'app', role: 'integration', name: 'reordered' },
      { headers },
    );
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson(null)).toBe('null');
  });
});
