import crypto from 'node:crypto';
import { CompiledQuery, type QueryResult } from 'kysely';
import type { Database, Queryable } from './database';

/**
 * Parameters of a statement written as SQL text, for hot paths that compose one statement from
 * several modules' fragments: each fragment adds its values with param() and puts the returned
 * placeholder in its text. The statement then runs as is, without Kysely's query builder and
 * compiler (which cost more CPU per call than the query's round trip on small machines).
 */
export class StatementParams {
  readonly values: unknown[] = [];

  /** Adds a value; returns its placeholder ($1, $2, …). */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  run<R>(q: Queryable, text: string): Promise<QueryResult<R>> {
    return q.executeQuery<R>(CompiledQuery.raw(text, this.values));
  }

  /**
   * Runs the statement by itself (its own transaction). On PostgreSQL it goes as a named
   * prepared statement: each pooled connection parses it once, and PostgreSQL plans it once when
   * its generic plan is as good as a fresh one. Meant for statements whose text comes in a few
   * shapes (values are parameters), run very often.
   */
  async runPrepared<R>(database: Database, text: string): Promise<R[]> {
    if (database.kind !== 'postgres') return (await this.run<R>(database.db, text)).rows;
    return (await database.pool.query({ name: statementName(text), text, values: this.values })).rows as R[];
  }

  /** In a transaction as run(); given the database itself, by itself as runPrepared(). */
  async runOn<R>(target: Queryable | Database, text: string): Promise<R[]> {
    return isDatabase(target) ? this.runPrepared<R>(target, text) : (await this.run<R>(target, text)).rows;
  }
}

const names = new Map<string, string>();

/** A prepared statement's name from its text (the first 10,000 texts are remembered). */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = 's_' + crypto.createHash('sha256').update(text).digest('hex').slice(0, 28);
    if (names.size < 10_000) names.set(text, name);
  }
  return name;
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function isDatabase(x: Queryable | Database): x is Database {
  return 'pool' in x && 'kind' in x;
}
