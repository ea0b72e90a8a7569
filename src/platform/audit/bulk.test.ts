import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';

const LIMIT = 5;
let s: TestServer;
let customer: string;
const phone = '13' + String(Date.now()).slice(-9);
beforeAll(async () => {
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_BULK_ACCESS_LIMIT: String(LIMIT) } });
  customer = (await s.api('POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: phone }] }))
    .body.customer_id;
});
afterAll(async () => s?.close());

const lookup = (key: string) => s.api('GET', `/v1/customers/lookup?type=phone&value=${phone}`, undefined, { key });
const keyId = async (key: string) => (await s.api('GET', '/v1/me', undefined, { key })).body.key_id as string;
const served = async (key: string) =>
  (await s.api('GET', `/v1/audit?action=customer.lookup&actor=${await keyId(key)}&limit=200`)).body.items
    .length as number;
const raised = async (id: string) =>
  (
    await s.santong.ctx.database.db
      .selectFrom('outbox')
      .select('aggregate_id')
      .where('type', '=', 'security.bulk_access')
      .execute()
  ).filter((r) => r.aggregate_id === id);

describe('bulk personal-data reads (block mode, the default)', () => {
  it('answers the limit, refuses the rest of a burst with 429 until an admin clears the alert', async () => {
    expect((await s.api('GET', '/v1/security/settings')).body).toEqual({ bulk_access_mode: 'block' });
    const staff = await s.keyFor('support');
    const id = await keyId(staff);
    // 25 lookups at once (the finding: 250 in 0.8 s were all answered)
    const burst = await Promise.all(Array.from({ length: 25 }, () => lookup(staff)));
    // never more than the limit (in a burst, reads that counted each other may all be refused)
    const ok = burst.filter((r) => r.status === 200).length;
    expect(ok).toBeLessThanOrEqual(LIMIT);
    for (const r of burst.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('bulk_access_blocked');
      expect(JSON.stringify(r.body)).not.toContain(phone.slice(-4));
    }
    expect(await raised(id)).toHaveLength(1);
    const [alert] = (await s.api('GET', '/v1/security/alerts')).body.items.filter(
      (a: { key_id: string }) => a.key_id === id,
    );
    expect(alert).toMatchObject({
      kind: 'bulk_access',
      blocking: true,
      cleared_at: null,
      details: { key_id: id, limit: LIMIT, mode: 'block' },
    });
    // blocked: every personal read, also later and of another kind; the key's other work goes on; other keys unaffected
    expect((await lookup(staff)).body.error).toMatchObject({ code: 'bulk_access_blocked', alert_id: alert.id });
    expect(
      (
        await s.api(
          'POST',
          `/v1/customers/${customer}/reveal`,
          { type: 'phone', reason: 'customer on the line' },
          { key: staff },
        )
      ).status,
    ).toBe(429);
    expect((await s.api('GET', '/v1/locations', undefined, { key: staff })).status).toBe(200);
    expect((await lookup(await s.keyFor('support'))).status).toBe(200);
    const servedBefore = await served(staff);

    // a support key may not clear its own alert; an admin does, and the count starts afresh
    expect((await s.api('POST', `/v1/security/alerts/${alert.id}/clear`, {}, { key: staff })).status).toBe(403);
    expect((await s.api('POST', '/v1/security/alerts/alr_nope/clear', {})).status).toBe(404);
    const cleared = await s.api('POST', `/v1/security/alerts/${alert.id}/clear`, {});
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({
      id: alert.id,
      cleared_by: await keyId(s.adminKey),
      cleared_at: expect.any(String),
    });
    expect((await s.api('GET', '/v1/security/alerts')).body.items.map((a: { id: string }) => a.id)).not.toContain(
      alert.id,
    );
    expect(
      (await s.api('GET', '/v1/security/alerts?include_cleared=true')).body.items.map((a: { id: string }) => a.id),
    ).toContain(alert.id);
    for (let i = 0; i < LIMIT; i++) expect((await lookup(staff)).status).toBe(200);
    const again = await lookup(staff);
    expect(again.status).toBe(429);
    expect(again.body.error.alert_id).not.toBe(alert.id);
    expect(await raised(id)).toHaveLength(2);
    expect(await served(staff)).toBe(servedBefore + LIMIT + 1); // the refused read past the limit was asked for: it is logged
    expect((await s.api('GET', `/v1/audit?action=security.alert_cleared&subject=${id}`)).body.items).toHaveLength(1);
  });

  it('alert mode lets a blocked key read again and only raises alerts', async () => {
    const staff = await s.keyFor('support');
    for (let i = 0; i < LIMIT; i++) expect((await lookup(staff)).status).toBe(200);
    expect((await lookup(staff)).status).toBe(429);
    expect((await s.api('PUT', '/v1/security/settings', { bulk_access_mode: 'alert' })).body).toEqual({
      bulk_access_mode: 'alert',
    });
    expect((await lookup(staff)).status).toBe(200);
    expect((await s.api('PUT', '/v1/security/settings', { bulk_access_mode: 'sometimes' })).body.error.field).toBe(
      'bulk_access_mode',
    );
    expect((await s.api('PUT', '/v1/security/settings', { bulk_access_mode: 'block' })).status).toBe(200);
    expect((await lookup(staff)).status).toBe(429);
  });
});
