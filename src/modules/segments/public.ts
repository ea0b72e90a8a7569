import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { members, personPoints } from './compile';
import type { Rule } from './rule';
import './tables';

/** What other modules (journeys) may know of segments beyond their routes: these, never the tables. */

export { checkRule, type Rule } from './rule';

/**
 * Which of these people (root ids) the rule selects at `asOf`: compiled as segments are, scoped to
 * them (a journey's branch for a batch); `entry` is when they entered the journey, for the rule's
 * since_entry leaves.
 */
export async function ruleHoldsFor(
  db: Queryable,
  rule: Rule,
  roots: readonly string[],
  asOf: Date,
  entry?: Date,
): Promise<Set<string>> {
  const scope = sql<string[]>`${[...roots]}::text[]`;
  const r = await sql<{ id: string }>`SELECT m.id FROM ${members(rule, asOf, scope, entry)} m`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/** Is there a saved segment (not a computed tag) with this id? */
export async function segmentExists(db: Queryable, id: string): Promise<boolean> {
  const r = await sql`SELECT 1 FROM saved_segments WHERE id = ${id} AND kind = 'segment'`.execute(db);
  return r.rows.length > 0;
}

/**
 * A saved segment's members (root ids) as last evaluated, with when each entered: a FROM-clause
 * fragment of `(customer_id, entered_at)` rows; with `since`, only those who entered after it.
 */
export const segmentEntries = (segmentId: string, since?: Date) => sql<{ customer_id: string; entered_at: Date }>`(
  SELECT customer_id, entered_at FROM segment_members WHERE segment_id = ${segmentId}
  ${since ? sql`AND entered_at > ${since.toISOString()}::timestamptz` : sql``})`;

/**
 * Where a person (a root id) is, as near_store measures it: the last delivery coordinates, else
 * the home_store trait's store, else the store of their first POS sale; null when none is known.
 */
export async function whereIs(db: Queryable, root: string): Promise<{ lat: number; lng: number } | null> {
  const r = await sql<{ lat: number; lng: number }>`
    SELECT w.lat, w.lng FROM ${personPoints} w WHERE w.root = ${root}`.execute(db);
  const p = r.rows[0];
  return p ? { lat: Number(p.lat), lng: Number(p.lng) } : null;
}
