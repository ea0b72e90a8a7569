import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { members } from './compile';
import type { Rule } from './rule';

const SAMPLE_SIZE = 20;

/**
 * How many people the rule selects now, and the first of them by id: one query. The members are
 * planned on their own (MATERIALIZED): under a LIMIT the planner would pick a plan that starts
 * fast in id order, which the count then runs to the end (seconds on a million customers).
 */
export async function previewSegment(
  db: Queryable,
  rule: Rule,
  asOf: Date,
): Promise<{ size: number; sample: string[] }> {
  const { rows } = await previewQuery(rule, asOf).execute(db);
  return { size: Number(rows[0]?.size ?? 0), sample: rows[0]?.sample ?? [] };
}

/** The one statement previewSegment runs (bench/segment-preview.ts --explain prints its plan). */
export const previewQuery = (rule: Rule, asOf: Date) => sql<{ size: string | number; sample: string[] }>`
  WITH m AS MATERIALIZED ${members(rule, asOf)}
  SELECT (SELECT count(*) FROM m) AS size, ARRAY(SELECT id FROM m ORDER BY id LIMIT ${SAMPLE_SIZE}) AS sample`;
