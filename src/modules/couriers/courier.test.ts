import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { signPayload, verifySignature } from '../../platform/events/signature';
import type { CourierJob } from './adapter';

const SECRET = 'courier-shared-secret-123';

/** A small stand-in for a rider platform (达达 / 顺丰同城 style): takes jobs, answers with its id. */
class FakeCourier {
  jobs: { job: CourierJob; signatureOk: boolean }[] = [];
  failNext = 0;
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (this.failNext > 0) {
        this.failNext--;
        res.writeHead(503).end();
        return;
      }
      const job = JSON.parse(body) as CourierJob;
      this.jobs.push({
        job,
        signatureOk: verifySignature(SECRET, body, String(req.headers['x-santong-signature'] ?? '')),
      });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: `rider-${this.jobs.length}` }));
    });
  });
  url = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jobs`;
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
  /** The platform calls back, signed with the shared secret. */
  async callback(callbackUrl: string, body: Record<string, unknown>, secret = SECRET) {
    const text = JSON.stringify(body);
    const res = await fetch(callbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-santong-signature': signPayload(secret, text, Math.floor(Date.now() / 1000)),
      },
      body: text,
    });
    return { status: res.status, body: (await res.json()) as any };
  }
}

let s: TestServer;
const courier = new FakeCourier();
beforeAll(async () => {
  await courier.start();
  s = await startTestServer({
    startDispatcher: false,
    env: { SANTONG_COURIER_WEBHOOK_URL: courier.url, SANTONG_COURIER_WEBHOOK_SECRET: SECRET },
  });
  await setupGoods(s, { near: { MILK: 20 }, dc1: { TV: 5 } });
});
afterAll(async () => {
  await s?.close();
  await courier.stop();
});

describe('courier adapter round trip', () => {
  it('hands a paid hour delivery to the courier and follows its callbacks to delivered', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'app',
      lines: [{ sku: 'MILK', qty: 2 }],
      fulfillment: delivery('hour'),
    });
    await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'pay-1' });
    courier.failNext = 1; // the platform is briefly down: the job is retried
    await s.santong.ctx.dispatcher.runOnce();
    expect(courier.jobs).toHaveLength(0);
    await s.santong.ctx.database.db
      .updateTable('courier_jobs')
      .set({ next_attempt_at: new Date(Date.now() - 1000) })
      .execute();
    await s.santong.ctx.dispatcher.runOnce();
    expect(courier.jobs).toHaveLength(1);
    const { job, signatureOk } = courier.jobs[0];
    expect(signatureOk).toBe(true);
    expect(job).toMatchObject({
      order_id: o.id,
      speed: 'hour',
      pickup: { location_id: 'near' },
      items: [{ sku: 'MILK', qty: 2 }],
    });
    expect(job.dropoff.address).toBe('上海市黄浦区人民大道200号');

    const forged = await courier.callback(
      job.callback_url,
      { job_id: job.job_id, status: 'delivered' },
      'not-the-secret-at-all',
    );
    expect(forged.status).toBe(401);
    const picked = await courier.callback(job.callback_url, { job_id: job.job_id, status: 'picked_up' });
    expect(picked.status).toBe(200);
    expect(picked.body.status).toBe('out_for_delivery');
    const again = await courier.callback(job.callback_url, { job_id: job.job_id, status: 'picked_up' });
    expect(again.status).toBe(200);
    const done = await courier.callback(job.callback_url, { job_id: job.job_id, status: 'delivered' });
    expect(done.body.status).toBe('delivered');
    const order = await must(s, 'GET', `/v1/orders/${o.id}`);
    expect(order.status).toBe('completed');
    const f = await must(s, 'GET', `/v1/fulfillments/${order.allocations[0].fulfillment_id}`);
    expect(f.events.map((e: { type: string; source: string }) => `${e.type}:${e.source}`)).toEqual([
      'out_for_delivery:courier:webhook',
      'delivered:courier:webhook',
    ]);
  });

  it('does not send standard parcels to the courier, and 404s unknown jobs', async () => {
    const o = await must(s, 'POST', '/v1/orders', {
      channel: 'web',
      lines: [{ sku: 'TV', qty: 1 }],
      fulfillment: delivery('standard'),
    });
    await must(s, 'POST', `/v1/orders/${o.id}/pay`, { payment_ref: 'pay-2' });
    await s.santong.ctx.dispatcher.runOnce();
    expect(courier.jobs.map((j) => j.job.order_id)).not.toContain(o.id);
    const r = await courier.callback(`${s.url}/v1/couriers/webhook/callback`, {
      job_id: 'cj_nope',
      status: 'delivered',
    });
    expect(r.status).toBe(404);
  });

  it('checks the signature before anything else: 401 for a caller that proves nothing, whatever its body', async () => {
    const url = `${s.url}/v1/couriers/webhook/callback`;
    const post = async (body: string | undefined, headers: Record<string, string> = {}, at = url) => {
      const res = await fetch(at, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const signed = (text: string, secret = SECRET) => ({
      'x-santong-signature': signPayload(secret, text, Math.floor(Date.now() / 1000)),
    });
    for (const body of ['{"job_id":', '{"status":"teleported"}', '[]', '{"job_id":"cj_nope","status":"delivered"}']) {
      const unsigned = await post(body);
      expect(unsigned.status).toBe(401);
      expect(unsigned.body.error.code).toBe('invalid_signature');
      expect((await post(body, signed(body, 'not-the-secret-at-all'))).status).toBe(401);
    }
    expect((await post(undefined)).status).toBe(401);
    const noType = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(noType.status).toBe(401);
    // An adapter that is not configured is not told apart from a wrong signature.
    const text = '{"job_id":"cj_nope","status":"delivered"}';
    expect((await post(text, signed(text), `${s.url}/v1/couriers/other/callback`)).status).toBe(401);
    // Signed, the body is then validated as before.
    const bad = '{"job_id":"cj_nope","status":"teleported"}';
    const invalid = await post(bad, signed(bad));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.field).toBe('status');
    expect((await post('{"job_id":', signed('{"job_id":'))).status).toBe(400);
  });
});
