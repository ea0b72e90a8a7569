/** Plumbing shared by the benchmarks that create a PostgreSQL database and clean up after themselves. */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The URL of database `name` on the server of `base`. */
export function databaseUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

/** One statement on its own connection (CREATE/DROP DATABASE). */
export async function adminQueryAt(base: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Runs cleanup steps last-in first-out; a failing step is logged and the rest still run. */
export async function runCleanups(cleanups: (() => Promise<void>)[], log: (m: string) => void): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      log(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Cleans up and exits with code 3 when the run exceeds its time limit, whatever it is doing. */
export function startWatchdog(
  limitMs: number,
  cleanups: (() => Promise<void>)[],
  log: (m: string) => void,
  onExpire: () => void = () => {},
): void {
  const t = setTimeout(() => {
    log(`time limit (${limitMs / 1000} s) reached; cleaning up`);
    onExpire();
    void runCleanups(cleanups, log).finally(() => process.exit(3));
  }, limitMs);
  t.unref();
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // keep 100
}
export const CLK_TCK = clkTck;

/** CPU seconds (user + system) a process has used, or null when it is gone. */
export function procCpu(pid: number | string): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clkTck; // utime + stime
  } catch {
    return null;
  }
}

/** CPU seconds of a process and all its descendants alive now (a server with worker processes). */
export function procTreeCpu(pid: number): number | null {
  const children = new Map<string, string[]>();
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = s.slice(s.lastIndexOf(')') + 2).split(' ')[1];
      children.set(ppid, [...(children.get(ppid) ?? []), p]);
    } catch {
      // gone
    }
  }
  const own = procCpu(pid);
  if (own === null) return null;
  let total = own;
  const stack = [...(children.get(String(pid)) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    total += procCpu(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** CPU seconds per running `postgres` process (every database on the server, not only ours). */
export function postgresCpu(): Map<string, number> {
  const m = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const c = procCpu(pid);
    if (c !== null) m.set(pid, c);
  }
  return m;
}

/** The pids of the backends connected to a database (this connection's own excluded). */
export async function backendsOf(url: string): Promise<Set<string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return new Set(r.rows.map((x) => String(x.pid)));
  } finally {
    await c.end();
  }
}

/** The environment of a Santong server under benchmark: production mode, no demo, a random master key, its own data dir. */
/** One master key per bench process: a server restarted on the same database must open it again. */
const BENCH_MASTER_KEY = crypto.randomBytes(32).toString('hex');

export function benchServerEnv(databaseUrl: string, adminKey: string, label = 'bench'): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    SANTONG_ADMIN_KEY: adminKey,
    SANTONG_DEMO: '0',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    SANTONG_MASTER_KEY: BENCH_MASTER_KEY,
    SANTONG_DATA_DIR: path.join(os.tmpdir(), `santong-${label}-${process.pid}`, 'data'),
  };
}
