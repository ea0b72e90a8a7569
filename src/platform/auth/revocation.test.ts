import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { startSecondProcess, type Remote } from '../../../test/second-process';
import { startTestServer, type TestServer } from '../../../test/server';
import { revokeKey } from './keys';

let s: TestServer;
let second: Remote | null = null;
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false });
  if (TEST_DB === 'postgres') second = await startSecondProcess(s);
}, 90_000);
afterAll(async () => {
  await second?.stop();
  await s?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const me = async (url: string, key: string) =>
  (await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('key revocation', () => {
  it('takes effect within 1 s on a process that did not revoke it (its cached lookup expires)', async () => {
    const key = (await s.api('POST', '/v1/api-keys', { name: 'revoked elsewhere', role: 'analyst' })).body;
    expect(await me(s.url, key.key)).toBe(200); // cached on this process now
    // Revoked behind this process's back, as another process does: no cache is told.
    await revokeKey(s.santong.ctx.database.db, key.id);
    await sleep(1100);
    expect(await me(s.url, key.key)).toBe(401);
  });

  it.skipIf(TEST_DB !== 'postgres')('revoked on one process, refused by a second process within 1 s', async () => {
    const key = (await s.api('POST', '/v1/api-keys', { name: 'revoked on A', role: 'analyst' })).body;
    expect(await me(second!.url, key.key)).toBe(200);
    expect((await s.api('DELETE', `/v1/api-keys/${key.id}`)).status).toBe(200);
    expect(await me(s.url, key.key)).toBe(401); // at once on the revoking process
    await sleep(1100);
    expect(await me(second!.url, key.key)).toBe(401);
  });
});
