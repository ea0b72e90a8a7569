import type { CompiledQuery, RawBuilder } from 'kysely';
import type pg from 'pg';
import type { Database } from '../../platform/db/database';
import { statementName } from '../../platform/db/statement';

/**
 * A transaction on one pooled connection whose statements go out in as few round trips as possible.
 *
 * Every round trip to PostgreSQL costs a `writev` and a wake-up on both sides, which on a VM is worth
 * more CPU than most of One ID's statements themselves. node-postgres sends a statement without
 * parameters with the simple query protocol, which takes several statements separated by `;` in
 * one message and runs each with its own snapshot, in order. So `BEGIN`, the advisory locks and the
 * reads that must follow the locks, or a last write and `COMMIT`, can share one round trip, as long
 * as their values are written into the text: `lit()` does that, only for values made of characters
 * that cannot end or escape a literal (identifier types, blind indexes, ids, timestamps). Values a
 * client chose (traits, masked identifiers, sealed bytes) always go as parameters.
 */
export interface Session {
  /** One parameterised statement (from Kysely's `sql` or a builder): its rows. */
  query<R>(q: RawBuilder<unknown> | { compile(db: Database['db']): CompiledQuery }): Promise<R[]>;
  /** Several statements in one round trip (literal values only): the rows of each. */
  script(statements: string[]): Promise<Record<string, unknown>[][]>;
  /**
   * `PREPARE name AS definition` the first time this connection sees `name` (put it first in the
   * next script), nothing afterwards. Planning a statement can cost more than running it; a
   * transaction opened with BEGIN_GENERIC reuses the generic plan at every `EXECUTE`. A prepared
   * statement lives as long as the connection, whatever becomes of the transaction it was prepared in.
   */
  prepareOnce(name: string, definition: string): string[];
}

/**
 * The start of a session's transaction: BEGIN, then generic plans for its prepared and named
 * statements. Left to itself PostgreSQL's plan cache keeps planning One ID's match query afresh at
 * every EXECUTE (the generic plan's estimate looks worse than the custom ones', whose planning was
 * half of the database's CPU per identify()); these statements are key lookups whose plan does not
 * depend on the values.
 */
export const BEGIN_GENERIC: readonly string[] = ['BEGIN', 'SET LOCAL plan_cache_mode = force_generic_plan'];

/** The statements prepared on each pooled connection. */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** Characters a literal may hold here: no quote, no backslash, nothing a client typed freely. */
const SAFE = /^[A-Za-z0-9_:.+\-/=]*$/;

/** A text literal for a script; throws for a value that is not plainly safe (never inline those). */
export function lit(value: string): string {
  if (!SAFE.test(value)) throw new Error('value not safe to inline in SQL text');
  return `'${value}'`;
}

/** A timestamptz literal. */
export function litTime(at: Date): string {
  return `${lit(at.toISOString())}::timestamptz`;
}

/** Whether every value can be inlined with lit(). */
export function inlinable(values: string[]): boolean {
  return values.every((v) => SAFE.test(v));
}

/**
 * Runs `fn` on one connection. `fn` opens its transaction itself (its first script starts with
 * BEGIN) and ends it (a COMMIT, alone or at the end of a script); if `fn` throws, the transaction is
 * rolled back, and a connection that cannot even roll back is discarded rather than reused.
 */
export async function withSession<T>(database: Database, fn: (s: Session) => Promise<T>): Promise<T> {
  const client: pg.PoolClient = await database.pool.connect();
  const session: Session = {
    async query<R>(q: RawBuilder<unknown> | { compile(db: Database['db']): CompiledQuery }) {
      const c = q.compile(database.db);
      return (await client.query({ name: statementName(c.sql), text: c.sql, values: [...c.parameters] })).rows as R[];
    },
    async script(statements) {
      const r = (await client.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(r) ? r.map((x) => x.rows) : [r.rows];
    },
    prepareOnce(name, definition) {
      let names = preparedOn.get(client);
      if (!names) preparedOn.set(client, (names = new Set()));
      if (names.has(name)) return [];
      // Counted as prepared from here on: it is first in its script, so only a broken connection
      // (then discarded) could keep it from running.
      names.add(name);
      return [`PREPARE ${name} AS ${definition}`];
    },
  };
  try {
    const out = await fn(session);
    client.release();
    return out;
  } catch (e) {
    let broken: Error | undefined;
    try {
      await client.query('ROLLBACK');
    } catch (r) {
      broken = r instanceof Error ? r : new Error(String(r));
    }
    client.release(broken);
    throw e;
  }
}
