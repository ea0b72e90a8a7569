import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_DB, TMP, type TestDatabase } from '../../../test/db';
import { listMigrations } from '../db/migrate';

/**
 * The `santong` command as an operator runs it: child processes on a temporary data dir
 * (PGlite) or on a fresh PostgreSQL database (SANTONG_TEST_DB=postgres).
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'santong.js');

let tmp: string;
let testDb: TestDatabase | null = null;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fs.mkdirSync(TMP, { recursive: true });
  tmp = fs.mkdtempSync(path.join(TMP, 'cli-'));
  let databaseUrl = '';
  if (TEST_DB === 'postgres') {
    testDb = await freshDatabase(1);
    databaseUrl = testDb.url!;
  }
  env = {
    ...process.env,
    SANTONG_DATA_DIR: path.join(tmp, 'data'),
    SANTONG_DEMO: '0',
    DATABASE_URL: databaseUrl,
    SANTONG_ADMIN_KEY: '',
    SANTONG_MASTER_KEY: '',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  await testDb?.drop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnCli(
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
  input?: string,
): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

// A safety net against a hung CLI, not a speed check: a loaded 2-core CI machine needs minutes.
async function run(args: string[], timeoutMs = 180_000, input?: string): Promise<Run> {
  const { child, done } = spawnCli(args, {}, input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const USAGE = /santong <command>[\s\S]*keys create --role R --name NAME/;

describe('santong CLI', () => {
  it('migrate applies the migrations once, then says the database is up to date', async () => {
    const first = await run(['migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    if (TEST_DB === 'pglite') {
      // A new data dir: every migration is applied, in order.
      expect(first.stdout).toBe(
        `applied: ${listMigrations()
          .map((m) => m.id)
          .join(', ')}\n`,
      );
    } else {
      // freshDatabase() is cloned from an already migrated template.
      expect(first.stdout).toBe('database is up to date\n');
    }
    const second = await run(['migrate']);
    expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n', stderr: '' });
  }, 400_000);

  it('keys create prints a key that authenticates against a server started on the same data', async () => {
    const created = await run(['keys', 'create', '--role', 'admin', '--name', 'ci']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^st_[A-Za-z0-9_-]{20,}\n$/);
    const key = created.stdout.trim();
    // staff accounts: a password from stdin, or a generated one printed once
    const fromStdin = await run(
      ['users', 'create', '--username', 'ops', '--role', 'admin', '--password-stdin'],
      180_000,
      'ops long passphrase\n',
    );
    expect([fromStdin.code, fromStdin.stderr]).toEqual([0, '']);
    expect(fromStdin.stdout).toMatch(/^created usr_\S+ \(admin\)\n$/);
    const generated = await run(['users', 'create', '--username', 'till', '--role', 'analyst']);
    expect([generated.code, generated.stderr]).toEqual([0, '']);
    const generatedPassword = /password: (\S+)\n$/.exec(generated.stdout)?.[1] ?? '';
    expect(generatedPassword.length).toBeGreaterThanOrEqual(10);
    const again = await run(['users', 'create', '--username', 'OPS', '--role', 'admin'], 180_000);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already taken');

    const port = await freePort();
    const server = spawnCli(['start'], { PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    let exited: Run | null = null;
    void server.done.then((r) => (exited = r));
    try {
      // A safety net for a server that never comes up, not a speed check: a loaded CI machine took
      // over 30 s to start the CLI's server on PGlite.
      const deadline = Date.now() + 150_000;
      let health: Response | null = null;
      while (Date.now() < deadline && exited === null) {
        health = await fetch(`${base}/health`).catch(() => null);
        if (health?.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(exited, `server exited early: ${server.output()}`).toBeNull();
      expect(health?.status, server.output()).toBe(200);
      expect(await health!.json()).toMatchObject({ status: 'ok', db: TEST_DB });
      expect(server.output()).toContain(`is running on ${TEST_DB}`);

      const ok = await fetch(`${base}/v1/locations`, { headers: { authorization: `Bearer ${key}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ items: expect.any(Array) });
      const keys = await fetch(`${base}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } });
      expect(keys.status).toBe(200);
      expect(((await keys.json()) as { items: unknown[] }).items).toContainEqual(
        expect.objectContaining({ name: 'ci', role: 'admin', key_prefix: key.slice(0, 7) }),
      );
      const wrong = await fetch(`${base}/v1/locations`, { headers: { authorization: `Bearer ${key}x` } });
      expect(wrong.status).toBe(401);
      const login = (username: string, password: string) =>
        fetch(`${base}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        }).then((r) => r.status);
      expect(await login('ops', 'ops long passphrase')).toBe(200);
      expect(await login('till', generatedPassword)).toBe(200);
      // dev mode: the start banner prints the console account `admin` and its password, once
      const banner = /console sign-in \(dev mode\): admin \/ (\S+)/.exec(server.output());
      expect(banner, server.output()).not.toBeNull();
      expect(await login('admin', banner![1])).toBe(200);
    } finally {
      if (exited === null) server.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
    const end = await server.done;
    clearTimeout(timer);
    expect({ code: end.code, signal: end.signal }, end.stdout + end.stderr).toEqual({ code: 0, signal: null });
    expect(end.stderr).toBe('');

    // Shut down cleanly: the data opens again at once.
    const after = await run(['migrate']);
    expect(after).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
  }, 400_000);

  const wrong: [string, string[], RegExp][] = [
    ['no such command', ['frobnicate'], /unknown command frobnicate/],
    ['an unknown role', ['keys', 'create', '--role', 'wizard', '--name', 'x'], /--role must be one of admin, /],
    ['no name', ['keys', 'create', '--role', 'admin'], /--name is required/],
    ['an unknown option', ['keys', 'create', '--role', 'admin', '--name', 'x', '--bogus'], /Unknown option '--bogus'/],
    ['an option without its value', ['keys', 'create', '--name', 'x', '--role'], /--role <value>' argument missing/],
  ];
  it('answers wrong arguments with exit code 2 and the usage', async () => {
    const results = await Promise.all(wrong.map(([, args]) => run(args)));
    results.forEach((r, i) => {
      const [label, , message] = wrong[i];
      expect({ label, code: r.code, stdout: r.stdout }).toEqual({ label, code: 2, stdout: '' });
      expect(r.stderr, label).toMatch(message);
      expect(r.stderr, label).toMatch(USAGE);
      expect(r.stderr, label).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });
  });
});
