import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import { rootOf } from './identity';

/**
 * Manual tags, kept under the root of the person's group. Adding or removing one touches the
 * profile (updated_at), so segments' incremental upkeep re-checks the person. Both answer the
 * root; 404 for an unknown customer.
 */
export async function addManualTag(db: Queryable, id: string, tag: string): Promise<string> {
  const root = await rootOf(db, id);
  if (!root) throw notFound('customer', 'id');
  await sql`WITH added AS (
      INSERT INTO customer_tags (customer_id, tag) VALUES (${root}, ${tag})
      ON CONFLICT DO NOTHING RETURNING 1)
    UPDATE customers SET updated_at = now() WHERE id = ${root} AND EXISTS (SELECT 1 FROM added)`.execute(db);
  return root;
}

/** Removes the tag from every member of the person's group (see addManualTag). */
export async function removeManualTag(db: Queryable, id: string, tag: string): Promise<string> {
  const root = await rootOf(db, id);
  if (!root) throw notFound('customer', 'id');
  await sql`WITH removed AS (
      DELETE FROM customer_tags WHERE tag = ${tag}
        AND customer_id IN (SELECT id FROM customers WHERE id = ${root} OR root_id = ${root})
      RETURNING 1)
    UPDATE customers SET updated_at = now() WHERE id = ${root} AND EXISTS (SELECT 1 FROM removed)`.execute(db);
  return root;
}
