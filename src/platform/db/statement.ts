import { CompiledQuery, type QueryResult } from 'kysely';
import type { Queryable } from './database';

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
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
