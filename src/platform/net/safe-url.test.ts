import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../events/outbox';
import { newId } from '../ids';
import { startTestServer, type TestServer } from '../../../test/server';
import { isPublicAddress } from './safe-url';

/** An endpoint on 127.0.0.1 recording the paths it is sent; /redirect answers 302 to /target. */
async function startReceiver() {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    if (req.url === '/redirect') res.writeHead(302, { location: '/target' }).end();
    else res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    paths,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let prod: TestServer;
let dev: TestServer;
let rx: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  [prod, dev, rx] = await Promise.all([
    startTestServer({ startDispatcher: false }),
    startTestServer({ startDispatcher: false, env: { SANTONG_ALLOW_PRIVATE_WEBHOOKS: '1' } }),
    startReceiver(),
  ]);
});
afterAll(async () => {
  await Promise.all([prod?.close(), dev?.close(), rx?.close()]);
});

/** Adds a webhook row as registration would have before this check (or as DNS may change later). */
async function insertHook(s: TestServer, url: string, event: string): Promise<string> {
  const id = newId('wh');
  await s.santong.ctx.database.db
    .insertInto('webhooks')
    .values({ id, url, events: [event], secret: 'whsec_0123456789abcdef' })
    .execute();
  await publish(s.santong.ctx.database.db, { aggregateType: 'ssrf_test', aggregateId: id, type: event, payload: {} });
  await s.santong.ctx.dispatcher.runOnce();
  return id;
}

const delivery = (s: TestServer, id: string) =>
  s.santong.ctx.database.db
    .selectFrom('webhook_deliveries')
    .select(['status', 'attempts', 'last_error'])
    .where('webhook_id', '=', id)
    .executeTakeFirstOrThrow();

describe('isPublicAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, reserved and IPv4-mapped forms', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fc00::1',
      'fd00:ec2::254',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '::ffff:a00:1',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:808:808'])
      expect(isPublicAddress(a), a).toBe(true);
    expect(isPublicAddress('example.com')).toBe(false);
  });
});

describe('webhook registration in production', () => {
  it('refuses loopback, private, link-local and metadata destinations in every spelling', async () => {
    for (const url of [
      'http://127.0.0.1/hook',
      'http://0x7f000001/hook',
      'http://2130706433/hook',
      'http://127.1/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/hook',
      'https://192.168.1.1/hook',
      'http://[fd00:ec2::254]/hook',
      `http://localhost:${rx.port}/hook`,
    ]) {
      const r = await prod.api('POST', '/v1/webhooks', { url, events: ['*'], secret: 'whsec_0123456789abcdef' });
      expect(r.status, url).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'url_not_allowed', field: 'url' });
    }
    const ftp = await prod.api('POST', '/v1/webhooks', {
      url: 'ftp://93.184.215.14/hook',
      events: ['*'],
      secret: 'whsec_0123456789abcdef',
    });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.field).toBe('url');
    expect((await prod.api('GET', '/v1/webhooks')).body.items).toEqual([]);
  });

  it('accepts a public address', async () => {
    const r = await prod.api('POST', '/v1/webhooks', {
      url: 'https://93.184.215.14/hook',
      events: ['nothing_here.happened'],
      secret: 'whsec_0123456789abcdef',
    });
    expect(r.status).toBe(201);
    expect((await prod.api('DELETE', `/v1/webhooks/${r.body.id}`)).status).toBe(200);
  });
});

describe('webhook delivery', () => {
  it('checks the address again at every delivery: a private literal or a name resolving to loopback is not called', async () => {
    const literal = await insertHook(prod, `${rx.url}/literal`, 'ssrf_literal.happened');
    const named = await insertHook(prod, `http://localhost:${rx.port}/named`, 'ssrf_named.happened');
    for (const id of [literal, named]) {
      const d = await delivery(prod, id);
      expect(d).toMatchObject({ status: 'pending', attempts: 1 });
      expect(d.last_error).toMatch(/^refused: .*loopback, private/);
    }
    expect(rx.paths).toEqual([]);
  });

  it('does not follow redirects: a 3xx is a failed delivery', async () => {
    const id = await insertHook(dev, `${rx.url}/redirect`, 'ssrf_redirect.happened');
    expect(await delivery(dev, id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'HTTP 302 (redirects are not followed)',
    });
    expect(rx.paths).toEqual(['/redirect']);
  });

  it('delivers to private addresses when SANTONG_ALLOW_PRIVATE_WEBHOOKS=1 (development)', async () => {
    const id = await insertHook(dev, `http://localhost:${rx.port}/dev`, 'ssrf_dev.happened');
    expect(await delivery(dev, id)).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
    expect(rx.paths).toContain('/dev');
  });
});
