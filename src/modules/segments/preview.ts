import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema';
import { transact } from '../../platform/db/transaction';
import { syncCategoryRollup, usesCategoryRollup } from './category-rollup';
import { members, type CompileOptions } from './compile';
import type { Rule } from './rule';

const SAMPLE_SIZE = 20;

/**
 * How many people the rule selects now, and the first of them by id: one query. The members are
 * planned on their own (MATERIALIZED): under a LIMIT the planner would pick a plan that starts
 * fast in id order, which the count then runs to the end (seconds on a million customers). JIT
 * is off: compiling the plan cost more than it saved on every preview measured (BENCHMARKS.md).
 */
export async function previewSegment(
  db: Kysely<DB>,
  rule: Rule,
  asOf: Date,
): Promise<{ size: number; sample: string[] }> {
  const opts: CompileOptions = { categoryRollup: usesCategoryRollup(rule) && (await syncCategoryRollup(db)) };
  const rows = await transact(db, async (tx) => {
    await sql`SET LOCAL jit = off`.execute(tx);
    return (await previewQuery(rule, asOf, opts).execute(tx)).rows;
  });
  return { size: Number(rows[0]?.size ?? 0), sample: rows[0]?.sample ?? [] };
}

/** The one statement previewSegment runs (bench/segment-preview.ts --explain prints its plan). */
export const previewQuery = (rule: Rule, asOf: Date, opts: CompileOptions = {}) => sql<{
  size: string | number;
  sample: string[];
}>`
  WITH m AS MATERIALIZED ${members(rule, asOf, undefined, undefined, opts)}
  SELECT (SELECT count(*) FROM m) AS size, ARRAY(SELECT id FROM m ORDER BY id LIMIT ${SAMPLE_SIZE}) AS sample`;
