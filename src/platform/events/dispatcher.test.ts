import http from 'node:http';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';
import { backoffSeconds } from './dispatcher';
import { publish, type PublishedEvent } from './outbox';
import { verifySignature } from './signature';

/** A retailer's webhook endpoint: records every request; answers what `respond` says per path. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  status: number;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer for a path (default 200); called once per request, before it is recorded. */
  respond: Map<string, (r: Omit<Received, 'status'>) => number>;
  at(path: string): Received[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const respond = new Map<string, (r: Omit<Received, 'status'>) => number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // recorded as is
      }
      const r = { path: req.url ?? '', headers: req.headers, body, json };
      const status = (respond.get(r.path) ?? (() => 200))(r);
      received.push({ ...r, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond,
    at: (path) => received.filter((r) => r.path === path),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let s: TestServer;
let rx: Receiver;

beforeAll(async () => {
  // Deliveries are driven by calling runOnce() here, so nothing races the assertions.
  // The receiver listens on 127.0.0.1, refused in production unless private webhooks are allowed.
  s = await startTestServer({ startDispatcher: false, env: { SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1' } });
  rx = await startReceiver();
});
afterAll(async () => {
  await s?.close();
  await rx?.close();
});

const dispatcher = () => s.santong.ctx.dispatcher;
const db = () => s.santong.ctx.database.db;

/** Runs the dispatcher until a pass finds nothing to fan out or deliver. */
async function drain(maxPasses = 100): Promise<void> {
  for (let i = 0; i < maxPasses; i++) {
    const r = await dispatcher().runOnce();
    if (r.fannedOut === 0 && r.delivered === 0 && r.failed === 0) return;
  }
  throw new Error(`the dispatcher did not settle in ${maxPasses} passes`);
}

async function register(path: string, events: string[]): Promise<{ id: string; secret: string }> {
  const secret = 'whsec_' + crypto.randomBytes(16).toString('hex');
  const r = await s.api('POST', '/v1/webhooks', { url: rx.url + path, events, secret });
  expect(r.status).toBe(201);
  expect(r.body).toMatchObject({ url: rx.url + path, events, active: true });
  return { id: r.body.id, secret };
}

async function emit(
  aggregateType: string,
  aggregateId: string,
  type: string,
  payload: Record<string, unknown> = {},
): Promise<void> {
  await publish(db(), { aggregateType, aggregateId, type, payload });
}

/** Makes every pending delivery of a webhook due now, instead of waiting out the backoff. */
async function makeDue(webhookId: string): Promise<void> {
  await sql`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE webhook_id = ${webhookId} AND status = 'pending'`.execute(
    db(),
  );
}

async function deliveries(webhookId: string) {
  return db()
    .selectFrom('webhook_deliveries')
    .select(['outbox_id', 'aggregate_id', 'status', 'attempts', 'last_error', 'next_attempt_at', 'delivered_at'])
    .where('webhook_id', '=', webhookId)
    .orderBy('outbox_id')
    .execute();
}

describe('backoffSeconds', () => {
  it('doubles from 2 s after each failed attempt and stops growing at one hour', () => {
    expect([1, 2, 3, 4, 5].map(backoffSeconds)).toEqual([2, 4, 8, 16, 32]);
    expect(backoffSeconds(11)).toBe(2048);
    expect(backoffSeconds(12)).toBe(3600);
    expect(backoffSeconds(50)).toBe(3600);
    for (let n = 1; n < 40; n++) expect(backoffSeconds(n + 1)).toBeGreaterThanOrEqual(backoffSeconds(n));
  });
});

describe('webhook dispatcher', () => {
  it('posts a signed event that the receiver can verify', async () => {
    const hook = await register('/sig', ['sig_test.created']);
    await emit('sig_test', 'agg-sig-1', 'sig_test.created', { qty: 3, note: '中文 ✓' });
    await drain();

    const got = rx.at('/sig');
    expect(got).toHaveLength(1);
    const [d] = got;
    const outbox = await db()
      .selectFrom('outbox')
      .selectAll()
      .where('aggregate_id', '=', 'agg-sig-1')
      .executeTakeFirstOrThrow();
    expect(outbox.dispatched_at).not.toBeNull();
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['x-santong-event']).toBe('sig_test.created');
    expect(d.headers['x-santong-event-id']).toBe(String(outbox.id));
    expect(d.json).toEqual({
      id: String(outbox.id),
      type: 'sig_test.created',
      aggregate_type: 'sig_test',
      aggregate_id: 'agg-sig-1',
      occurred_at: outbox.occurred_at.toISOString(),
      data: { qty: 3, note: '中文 ✓' },
    });

    const header = String(d.headers['x-santong-signature']);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    expect(m, `signature header ${header}`).not.toBeNull();
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(60);
    expect(m![2]).toBe(crypto.createHmac('sha256', hook.secret).update(`${m![1]}.${d.body}`).digest('hex'));
    expect(verifySignature(hook.secret, d.body, header)).toBe(true);
    expect(verifySignature('whsec_some_other_secret_000', d.body, header)).toBe(false);
    expect(verifySignature(hook.secret, d.body.replace('"qty":3', '"qty":4'), header)).toBe(false);
    // A replayed delivery is refused once it is older than the tolerance.
    expect(verifySignature(hook.secret, d.body, header, 300, Date.now() + 301_000)).toBe(false);

    const rows = await deliveries(hook.id);
    expect(rows).toMatchObject([{ status: 'delivered', attempts: 1, last_error: null }]);
    expect(rows[0].delivered_at).not.toBeNull();
    expect((await s.api('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(200);
  });

  it('delivers only the event types a webhook subscribed to; * takes every type', async () => {
    const only = await register('/only', ['filter_test.created', 'filter_test.paid']);
    const all = await register('/all', ['*']);
    await emit('filter_test', 'agg-f-1', 'filter_test.created');
    await emit('filter_test', 'agg-f-1', 'filter_test.updated');
    await emit('filter_test', 'agg-f-1', 'filter_test.paid');
    await emit('filter_test', 'agg-f-2', 'filter_test.deleted');
    await drain();

    expect(rx.at('/only').map((r) => r.json.type)).toEqual(['filter_test.created', 'filter_test.paid']);
    expect(rx.at('/only').every((r) => r.headers['x-santong-event'] === r.json.type)).toBe(true);
    const mine = rx.at('/all').filter((r) => r.json.aggregate_type === 'filter_test');
    expect(mine.map((r) => r.json.type).sort()).toEqual([
      'filter_test.created',
      'filter_test.deleted',
      'filter_test.paid',
      'filter_test.updated',
    ]);
    // No delivery rows at all for types a webhook did not ask for.
    expect((await deliveries(only.id)).length).toBe(2);
    for (const h of [only, all]) expect((await s.api('DELETE', `/v1/webhooks/${h.id}`)).status).toBe(200);
  });

  it('delivers the events of one aggregate in order, each once, while aggregates interleave', async () => {
    const hook = await register('/order', ['order_test.step']);
    for (let seq = 1; seq <= 5; seq++) {
      for (const agg of ['agg-o-a', 'agg-o-b', 'agg-o-c']) await emit('order_test', agg, 'order_test.step', { seq });
    }
    await drain();

    const got = rx.at('/order');
    expect(got).toHaveLength(15);
    for (const agg of ['agg-o-a', 'agg-o-b', 'agg-o-c']) {
      expect(got.filter((r) => r.json.aggregate_id === agg).map((r) => r.json.data.seq)).toEqual([1, 2, 3, 4, 5]);
    }
    expect(new Set(got.map((r) => r.json.id)).size).toBe(15);
    expect((await deliveries(hook.id)).every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
    expect((await s.api('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(200);
  });

  it('retries a failing receiver with backoff; later events of that aggregate wait, others proceed', async () => {
    const hook = await register('/flaky', ['retry_test.step']);
    let failuresLeft = 2;
    rx.respond.set('/flaky', (r) => (r.json?.aggregate_id === 'agg-r-x' && failuresLeft-- > 0 ? 500 : 200));
    await emit('retry_test', 'agg-r-x', 'retry_test.step', { seq: 1 });
    await emit('retry_test', 'agg-r-x', 'retry_test.step', { seq: 2 });
    await emit('retry_test', 'agg-r-y', 'retry_test.step', { seq: 1 });
    await emit('retry_test', 'agg-r-y', 'retry_test.step', { seq: 2 });

    // First attempt at x#1 fails; x#2 waits behind it; y is not held up by x.
    const started = Date.now();
    await drain();
    const attempts = () => rx.at('/flaky').map((r) => `${r.json.aggregate_id}#${r.json.data.seq}:${r.status}`);
    expect(attempts().filter((a) => a.startsWith('agg-r-x'))).toEqual(['agg-r-x#1:500']);
    expect(attempts().filter((a) => a.startsWith('agg-r-y'))).toEqual(['agg-r-y#1:200', 'agg-r-y#2:200']);
    let rows = await deliveries(hook.id);
    const x1 = rows.find((d) => d.aggregate_id === 'agg-r-x')!;
    expect(x1).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500', delivered_at: null });
    const wait = x1.next_attempt_at.getTime() - started;
    expect(wait).toBeGreaterThanOrEqual(backoffSeconds(1) * 1000 - 1000);
    expect(wait).toBeLessThanOrEqual(backoffSeconds(1) * 1000 + 5000);

    // Not due yet: another pass sends nothing.
    expect(await dispatcher().runOnce()).toMatchObject({ delivered: 0, failed: 0 });
    expect(attempts()).toHaveLength(3);

    // Second attempt (made due by hand) fails again and backs off longer.
    await makeDue(hook.id);
    const before2 = Date.now();
    expect(await dispatcher().runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    rows = await deliveries(hook.id);
    const x1b = rows.find((d) => d.aggregate_id === 'agg-r-x')!;
    expect(x1b).toMatchObject({ status: 'pending', attempts: 2, last_error: 'HTTP 500' });
    expect(x1b.next_attempt_at.getTime() - before2).toBeGreaterThanOrEqual(backoffSeconds(2) * 1000 - 1000);
    expect(rows.find((d) => d.aggregate_id === 'agg-r-x' && d.outbox_id !== x1b.outbox_id)).toMatchObject({
      status: 'pending',
      attempts: 0,
    });

    // Third attempt succeeds; only then is x#2 sent.
    await makeDue(hook.id);
    await drain();
    expect(attempts().filter((a) => a.startsWith('agg-r-x'))).toEqual([
      'agg-r-x#1:500',
      'agg-r-x#1:500',
      'agg-r-x#1:200',
      'agg-r-x#2:200',
    ]);
    rows = await deliveries(hook.id);
    expect(rows.map((d) => [d.aggregate_id, d.status, d.attempts])).toEqual([
      ['agg-r-x', 'delivered', 3],
      ['agg-r-x', 'delivered', 1],
      ['agg-r-y', 'delivered', 1],
      ['agg-r-y', 'delivered', 1],
    ]);
    // Every attempt carries the same event id, so the receiver can de-duplicate.
    const ids = rx
      .at('/flaky')
      .filter((r) => r.json.aggregate_id === 'agg-r-x' && r.json.data.seq === 1)
      .map((r) => r.headers['x-santong-event-id']);
    expect(new Set(ids).size).toBe(1);
    expect((await s.api('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(200);
  });

  it('treats an unreachable receiver as a failed attempt', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await s.api('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${port}/gone`,
      events: ['gone_test.happened'],
      secret: 'whsec_0123456789abcdef',
    });
    expect(r.status).toBe(201);
    await emit('gone_test', 'agg-g', 'gone_test.happened');
    await drain();
    const [row] = await deliveries(r.body.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toBeTruthy();
    expect((await s.api('DELETE', `/v1/webhooks/${r.body.id}`)).status).toBe(200);
  });

  it('calls in-process subscribers once per event, in outbox order, inside the dispatching transaction', async () => {
    const seen: PublishedEvent[] = [];
    const wildcard: string[] = [];
    dispatcher().subscribe('local_test.happened', async (event, tx) => {
      seen.push(event);
      // The handler may write in the same transaction, e.g. publish a follow-up event.
      if (event.payload.n === 3)
        await publish(tx, {
          aggregateType: 'local_test',
          aggregateId: 'agg-l',
          type: 'local_test.followed_up',
          payload: {},
        });
    });
    dispatcher().subscribe('*', async (event) => {
      if (event.aggregateType === 'local_test') wildcard.push(event.type);
    });
    for (const n of [1, 2, 3]) await emit('local_test', 'agg-l', 'local_test.happened', { n });
    await emit('local_test', 'agg-l', 'local_test.ignored');
    await drain();
    await drain();

    expect(seen.map((e) => e.payload.n)).toEqual([1, 2, 3]);
    const ids = seen.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(seen[0]).toMatchObject({
      aggregateType: 'local_test',
      aggregateId: 'agg-l',
      type: 'local_test.happened',
      payload: { n: 1 },
    });
    expect(seen[0].occurredAt).toBeInstanceOf(Date);
    expect(wildcard).toEqual([
      'local_test.happened',
      'local_test.happened',
      'local_test.happened',
      'local_test.ignored',
      'local_test.followed_up',
    ]);
    const pending = await db()
      .selectFrom('outbox')
      .select('id')
      .where('aggregate_type', '=', 'local_test')
      .where('dispatched_at', 'is', null)
      .execute();
    expect(pending).toEqual([]);
  });

  it('stops deliveries once the webhook is deleted, including retries of earlier events', async () => {
    const hook = await register('/deleted', ['del_test.happened']);
    await emit('del_test', 'agg-d', 'del_test.happened', { n: 1 });
    await drain();
    expect(rx.at('/deleted')).toHaveLength(1);

    // n=2 fails and waits for a retry; then the webhook is deleted.
    rx.respond.set('/deleted', () => 500);
    await emit('del_test', 'agg-d', 'del_test.happened', { n: 2 });
    await drain();
    expect(rx.at('/deleted').map((r) => r.status)).toEqual([200, 500]);

    const del = await s.api('DELETE', `/v1/webhooks/${hook.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ id: hook.id, active: false });
    expect((await s.api('GET', '/v1/webhooks')).body.items.find((w: { id: string }) => w.id === hook.id)).toMatchObject(
      { active: false },
    );

    rx.respond.delete('/deleted');
    await emit('del_test', 'agg-d', 'del_test.happened', { n: 3 });
    await makeDue(hook.id);
    await drain();
    expect(rx.at('/deleted')).toHaveLength(2);
    const rows = await deliveries(hook.id);
    expect(rows).toHaveLength(2); // nothing fanned out to a deleted webhook
    expect(rows.map((d) => d.status)).toEqual(['delivered', 'dead']);

    const again = await s.api('DELETE', '/v1/webhooks/wh_does_not_exist');
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ code: 'not_found', field: 'id' });
  });
});

describe('dispatcher on its timer', () => {
  it('delivers without anyone calling runOnce, and stops with the server', async () => {
    const live = await startTestServer({ env: { SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1' } }); // dispatcher ticking every 50 ms
    try {
      const r = await live.api('POST', '/v1/webhooks', {
        url: rx.url + '/live',
        events: ['live_test.happened'],
        secret: 'whsec_live_0123456789',
      });
      expect(r.status).toBe(201);
      await publish(live.santong.ctx.database.db, {
        aggregateType: 'live_test',
        aggregateId: 'agg-live',
        type: 'live_test.happened',
        payload: { ok: true },
      });
      const deadline = Date.now() + 10_000;
      while (rx.at('/live').length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 25));
      expect(rx.at('/live').map((d) => d.json.data)).toEqual([{ ok: true }]);
      expect(
        verifySignature(
          'whsec_live_0123456789',
          rx.at('/live')[0].body,
          String(rx.at('/live')[0].headers['x-santong-signature']),
        ),
      ).toBe(true);
    } finally {
      await live.close();
    }
  });
});
