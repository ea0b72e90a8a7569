import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { members } from './compile';
import type { Rule } from './rule';

const SAMPLE_SIZE = 20;

/** How many people the rule selects now, and the first of them by id: one query. */
export async function previewSegment(
  db: Queryable,
  rule: Rule,
  asOf: Date,
): Promise<{ size: number; sample: string[] }> {
  const { rows } = await sql<{ id: string; size: string | number }>`
    SELECT m.id, count(*) OVER () AS size FROM ${members(rule, asOf)} m ORDER BY m.id LIMIT ${SAMPLE_SIZE}`.execute(db);
  return { size: Number(rows[0]?.size ?? 0), sample: rows.map((r) => r.id) };
}
