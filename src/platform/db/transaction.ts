import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Tx } from './database';
import type { DB } from './schema';

/**
 * SQLSTATEs after which PostgreSQL has rolled the whole transaction back and running it again may
 * succeed: a deadlock (one of the waiters is chosen as victim) and a serialization failure.
 */
const RETRYABLE = new Set(['40P01', '40001']);

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export interface TransactOptions {
  /** Runs of the transaction in all (default 5). */
  tries?: number;
}

const logs = new WeakMap<Kysely<DB>, Logger>();

/** Where transact() reports its retries for this handle (SQLSTATE and try only: nothing personal). */
export function setTransactionLog(db: Kysely<DB>, log: Logger): void {
  logs.set(db, log);
}

const kysely = (target: Database | Kysely<DB>): Kysely<DB> => ('kind' in target ? target.db : target);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs fn (a statement that is its own transaction, or a whole transaction) again when PostgreSQL
 * aborted it as a deadlock victim or for a serialization failure: bounded, after a short jittered
 * pause, so such an abort never reaches the client. Everything fn wrote was rolled back, so it
 * must keep no effects of a failed run outside the database.
 */
export async function withRetry<T>(
  target: Database | Kysely<DB>,
  fn: () => Promise<T>,
  opts: TransactOptions = {},
): Promise<T> {
  const log = logs.get(kysely(target));
  const tries = Math.max(1, opts.tries ?? 5);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= tries || !isRetryable(err)) throw err;
      log?.warn({ sqlstate: (err as { code: string }).code, attempt }, 'transaction retried');
      await sleep(Math.random() * 10 * 2 ** attempt);
    }
  }
}

/**
 * Runs fn in a transaction, retried as withRetry() says. A lock order (locks.ts) makes deadlocks
 * rare; this makes the rest harmless.
 */
export async function transact<T>(
  target: Database | Kysely<DB>,
  fn: (tx: Tx) => Promise<T>,
  opts: TransactOptions = {},
): Promise<T> {
  return withRetry(target, () => kysely(target).transaction().execute(fn), opts);
}
