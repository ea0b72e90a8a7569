/** Plumbing shared by the benchmarks that create a PostgreSQL database and clean up after themselves. */
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
export function startWatchdog(limitMs: number, cleanups: (() => Promise<void>)[], log: (m: string) => void, onExpire: () => void = () => {}): void {
  const t = setTimeout(() => {
    log(`time limit (${limitMs / 1000} s) reached; cleaning up`);
    onExpire();
    void runCleanups(cleanups, log).finally(() => process.exit(3));
  }, limitMs);
  t.unref();
}
