import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../src/platform/config';
import { startSantong, type Santong, type StartOptions } from '../src/app';
import { createLogger } from '../src/platform/logging';
import { seedDemo, type SeedOptions } from '../src/demo/seed';
import { freshDatabase, type TestDatabase } from './db';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  /** Send this string as the body verbatim (malformed JSON tests). */
  raw?: string;
}

export interface TestServer {
  url: string;
  adminKey: string;
  santong: Santong;
  testDb: TestDatabase;
  config: Config;
  api<T = any>(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<ApiResponse<T>>;
  /** Creates a key with the given role and returns its secret. */
  keyFor(role: string, extra?: { location_id?: string; channel?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Seed a small demo retailer (deterministic) before the server listens. */
  demo?: Partial<SeedOptions> | boolean;
  env?: Record<string, string>;
  /** Reuse a database (e.g. a second server process on the same PostgreSQL). */
  testDb?: TestDatabase;
  startDispatcher?: boolean;
  /** Log here instead of the default (silent) logger, e.g. to read what was logged. */
  logger?: Logger;
  /** Services instead of the modules' defaults (e.g. another routing strategy). */
  services?: StartOptions['services'];
}

export const SMALL_DEMO: SeedOptions = { customers: 300, months: 2, seed: 7, eventsPerCustomer: 3, chunkSize: 300 };

/** Starts a real Santong server on a random port over a fresh database and talks to it over HTTP. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const testDb = opts.testDb ?? (await freshDatabase());
  const adminKey = 'st_test_' + crypto.randomBytes(12).toString('hex');
  const config: Config = {
    ...loadConfig({
      PORT: '0',
      SANTONG_ADMIN_KEY: adminKey,
      SANTONG_DEMO: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SANTONG_MASTER_KEY: crypto.createHash('sha256').update('santong-test-master-key').digest('hex'),
      SANTONG_DISPATCH_INTERVAL_MS: '50',
      // Tests start runs themselves; a nightly run in the background would race them.
      SANTONG_NIGHTLY_RUNS: '0',
      SANTONG_WARM_UP: '0',
      ...opts.env,
    }),
    host: '127.0.0.1',
  };
  const santong = await startSantong(config, {
    database: testDb.database,
    logger: opts.logger ?? createLogger(config.logLevel),
    startDispatcher: opts.startDispatcher,
    services: opts.services,
    async beforeListen(ctx) {
      if (opts.demo)
        await seedDemo(ctx.database, ctx.keys, { ...SMALL_DEMO, ...(opts.demo === true ? {} : opts.demo) });
    },
  });
  const url = santong.url.replace('localhost', '127.0.0.1');

  async function api<T = any>(
    method: string,
    path: string,
    body?: unknown,
    o: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const key = o.key === undefined ? adminKey : o.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (o.raw !== undefined) payload = o.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (console pages)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  return {
    url,
    adminKey,
    santong,
    testDb,
    config,
    api,
    async keyFor(role, extra = {}) {
      const r = await api('POST', '/v1/api-keys', { name: `test ${role}`, role, ...extra });
      if (r.status !== 201) throw new Error(`could not create ${role} key: ${JSON.stringify(r.body)}`);
      return r.body.key as string;
    },
    async close() {
      await santong.close();
      if (!opts.testDb) await testDb.drop();
    },
  };
}
