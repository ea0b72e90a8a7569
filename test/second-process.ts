import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TMP } from './db';
import type { ApiResponse, TestServer } from './server';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Another server on the same test database, called with the first one's admin key. */
export interface Remote {
  url: string;
  api(method: string, path: string, body?: unknown, opts?: { headers?: Record<string, string> }): Promise<ApiResponse>;
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, mid-transaction or not (crash tests). */
  kill(): Promise<void>;
}

/** Starts `santong start` as a real second process on the test database and waits until it listens. */
export async function startSecondProcess(s: TestServer, env: Record<string, string> = {}): Promise<Remote> {
  fs.mkdirSync(TMP, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(TMP, 'second-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'santong.js'), 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: s.testDb.url!,
      PORT: '0',
      HOST: '127.0.0.1',
      SANTONG_ADMIN_KEY: s.adminKey,
      SANTONG_DEMO: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      SANTONG_DATA_DIR: path.join(dataDir, 'data'),
      SANTONG_MASTER_KEY: crypto.createHash('sha256').update('santong-test-master-key').digest('hex'),
      // as in test/server.ts: no nightly run in the background unless a test asks for one
      SANTONG_NIGHTLY_RUNS: '0',
      SANTONG_WARM_UP: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`second process did not start in 60 s:\n${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      const m = /API\s+(http:\/\/\S+?)\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`second process exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    async api(method, p, body, opts) {
      const res = await fetch(url + p, {
        method,
        headers: {
          authorization: `Bearer ${s.adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts?.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
