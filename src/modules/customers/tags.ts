import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import { rootsOf } from './identity';

/**
 * Manual tags, kept under the root of the person's group. Adding or removing one touches the
 * profile (updated_at), so segments' incremental upkeep re-checks the person. Both answer the
 * root; 404 for an unknown customer.
 */
export async function addManualTag(db: Queryable, id: string, tag: string): Promise<string> {
  const [root] = await changeManualTags(db, [id], { add: tag });
  if (!root) throw notFound('customer', 'id');
  return root;
}

/** Removes the tag from every member of the person's group (see addManualTag). */
export async function removeManualTag(db: Queryable, id: string, tag: string): Promise<string> {
  const [root] = await changeManualTags(db, [id], { remove: tag });
  if (!root) throw notFound('customer', 'id');
  return root;
}

/**
 * Adds or removes one manual tag for several people (a journey's step for a batch): answers each
 * one's root, null for an unknown or erased customer. The roots' rows are locked in "C" order
 * (platform/db/locks.ts, rank 2) before the profiles are touched.
 */
export async function changeManualTags(
  db: Queryable,
  ids: readonly string[],
  change: { add: string } | { remove: string },
): Promise<(string | null)[]> {
  const roots = await rootsOf(db, ids);
  const people = [...new Set(roots.filter((r): r is string => r !== null))];
  if (people.length > 1)
    await sql`SELECT id FROM customers WHERE id = ANY(${people}::text[]) ORDER BY id COLLATE "C" FOR UPDATE`.execute(
      db,
    );
  if (people.length === 0) return roots;
  if ('add' in change)
    await sql`WITH added AS (
        INSERT INTO customer_tags (customer_id, tag) SELECT r, ${change.add} FROM unnest(${people}::text[]) AS r
        ON CONFLICT DO NOTHING RETURNING customer_id)
      UPDATE customers SET updated_at = now() WHERE id IN (SELECT customer_id FROM added)`.execute(db);
  else
    await sql`WITH removed AS (
        DELETE FROM customer_tags t USING customers c
        WHERE t.tag = ${change.remove} AND c.id = t.customer_id AND coalesce(c.root_id, c.id) = ANY(${people}::text[])
        RETURNING coalesce(c.root_id, c.id) AS root)
      UPDATE customers SET updated_at = now() WHERE id IN (SELECT root FROM removed)`.execute(db);
  return roots;
}
