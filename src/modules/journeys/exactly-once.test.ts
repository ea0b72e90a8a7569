import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB } from '../../../test/db';
import { must } from '../../../test/fixtures/goods';
import { FakeMessageGateway } from '../../../test/fixtures/message-gateway';
import { startSecondProcess, type Remote } from '../../../test/second-process';
import { startTestServer, type TestServer } from '../../../test/server';

/**
 * Exactly once across processes and a crash (PostgreSQL: several server processes on one
 * database). Two spawned servers run the journey together; one is killed with SIGKILL while steps
 * are running and another is started in its place. Every person gets one coupon (the template's
 * per-person limit is high enough not to hide a second one), one message id at the gateway and one
 * tag change.
 */

const SECRET = 'journey-gateway-secret-0042';
const gateway = new FakeMessageGateway(SECRET);
const PEOPLE = 80;
const RUNNER = {
  SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1',
  SANTONG_DISPATCH_INTERVAL_MS: '20',
  SANTONG_JOURNEY_TICK_MS: '20',
  // small batches, so the kill falls between and within batches of every step
  SANTONG_JOURNEY_BATCH: '8',
  SANTONG_MESSAGE_RETRY_SECONDS: '0,0,0,0',
};
let s: TestServer;
const remotes: Remote[] = [];

beforeAll(async () => {
  if (TEST_DB !== 'postgres') return;
  await gateway.start();
  // this process serves the API only: the spawned ones run the journeys and send the messages
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1' } });
  await must(s, 'PUT', '/v1/message-channels/sms', { adapter: 'webhook', url: gateway.url, secret: SECRET });
  await must(s, 'PUT', '/v1/settings/messaging', { quiet_hours: null, frequency_cap: null });
}, 120_000);
afterAll(async () => {
  for (const r of remotes) await r.stop();
  await s?.close();
  await gateway.stop();
});

describe('exactly once', () => {
  it.skipIf(TEST_DB !== 'postgres')(
    'two processes, one killed with SIGKILL mid-run and replaced: one coupon, one message id, one tag each',
    async () => {
      const people: string[] = [];
      for (let i = 0; i < PEOPLE; i++) {
        const phone = `1370000${String(i).padStart(4, '0')}`;
        const id = (
          await must(s, 'POST', '/v1/identify', { channel: 'app', identifiers: [{ type: 'phone', value: phone }] })
        ).customer_id as string;
        await must(s, 'PUT', `/v1/customers/${id}/consents/marketing_sms`, {
          granted: true,
          channel: 'app',
          source: 'form',
        });
        await must(s, 'PUT', `/v1/customers/${id}/tags/crash_fixture`);
        people.push(id);
      }
      const tpl = await must(s, 'POST', '/v1/coupon-templates', {
        name: 'crash ¥5',
        kind: 'amount_off',
        value: 500,
        channels: ['pos'],
        valid_days_after_claim: 7,
        per_customer_limit: 10,
      });
      const segment = await must(s, 'POST', '/v1/segments', { name: 'crash', rule: { tag: 'crash_fixture' } }, [201]);
      const j = await must(
        s,
        'POST',
        '/v1/journeys',
        {
          name: 'crash',
          trigger: { broadcast: { segment: segment.id, at: new Date().toISOString() } },
          steps: [
            { id: 'coupon', issue_coupon: { template_id: tpl.id } },
            { id: 'sms', send_message: { channel: 'sms', text: '券码 {{coupon}}' } },
            { id: 'tag', add_tag: 'crash_done' },
          ],
        },
        [201],
      );
      remotes.push(await startSecondProcess(s, RUNNER), await startSecondProcess(s, RUNNER));
      await must(s, 'POST', `/v1/journeys/${j.id}/activate`);
      const report = () => must(s, 'GET', `/v1/journeys/${j.id}/report`);
      const stepDone = (r: { steps: { id: string; done: number }[] }, id: string) =>
        r.steps.find((x) => x.id === id)!.done;
      for (let r = await report(); stepDone(r, 'coupon') < PEOPLE / 8; r = await report())
        await new Promise((res) => setTimeout(res, 10));
      await remotes[0]!.kill();
      const killedAt = await report();
      expect(killedAt.completed).toBeLessThan(PEOPLE);
      remotes.push(await startSecondProcess(s, RUNNER));
      const deadline = Date.now() + 90_000;
      let r = await report();
      while (
        (r.completed < PEOPLE || gateway.requests.filter((q) => q.answered === 200).length < PEOPLE) &&
        Date.now() < deadline
      ) {
        await new Promise((res) => setTimeout(res, 200));
        r = await report();
      }
      expect([r.entered, r.completed, stepDone(r, 'coupon'), stepDone(r, 'sms'), stepDone(r, 'tag')]).toEqual([
        PEOPLE,
        PEOPLE,
        PEOPLE,
        PEOPLE,
        PEOPLE,
      ]);
      expect(r.coupons.issued).toBe(PEOPLE);
      expect((await must(s, 'GET', `/v1/coupon-templates/${tpl.id}`)).issued).toBe(PEOPLE);
      const ids = new Map<string, Set<string>>();
      for (const q of gateway.requests) {
        expect(q.signatureOk).toBe(true);
        expect(q.idempotencyKey).toBe(q.message.message_id);
        ids.set(q.message.customer_id, (ids.get(q.message.customer_id) ?? new Set()).add(q.message.message_id));
      }
      expect([...ids.keys()].sort()).toEqual([...people].sort());
      expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
      const delivered = (await must(s, 'GET', `/v1/messages?journey_id=${j.id}&limit=200`)).items as {
        status: string;
      }[];
      expect(delivered.map((m) => m.status)).toEqual(Array(PEOPLE).fill('delivered'));
      for (const p of people.slice(0, 10))
        expect((await must(s, 'GET', `/v1/customers/${p}`)).tags).toContain('crash_done');
    },
    240_000,
  );
});
