import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';

/** What other modules may know of customers beyond the service functions: these fragments, never the tables. */

/** Every customer id of a person: the customer and those merged into it. A fragment for `IN (...)`. */
export const customerGroupIds = (id: string) =>
  sql<string>`(SELECT id FROM customers WHERE id = ${id} OR root_id = ${id})`;

/**
 * Every customer with the person it belongs to (`root`: its own id unless merged) and whether it
 * was erased. A FROM-clause fragment that PostgreSQL inlines; give it an alias: `JOIN ${customerRoots} c`.
 */
export const customerRoots = sql`(SELECT id, coalesce(root_id, id) AS root, erased_at FROM customers)`;

/**
 * Customers whose person counts in audiences (RFM, segments): `root` is its group's root, a known
 * profile that was not erased; anonymous and erased people are left out. A FROM-clause fragment.
 * Roots are read as themselves and only merged members join their root, so a million customers
 * are not joined to themselves.
 */
export const countedCustomerRoots = sql`(
  SELECT id, id AS root FROM customers WHERE root_id IS NULL AND kind = 'known' AND erased_at IS NULL
  UNION ALL
  SELECT c.id, c.root_id AS root FROM customers c JOIN customers p ON p.id = c.root_id
  WHERE c.root_id IS NOT NULL AND p.kind = 'known' AND p.erased_at IS NULL)`;

/**
 * The two halves of countedCustomerRoots, for a reader that treats them apart: `countedRoots` are
 * the roots that count (`id`), read as themselves; `mergedCustomers` are the merged members of
 * their groups (`id`, `root`), few, found through a partial index on root_id. FROM-clause fragments.
 */
export const countedRoots = sql`(
  SELECT id FROM customers WHERE root_id IS NULL AND kind = 'known' AND erased_at IS NULL)`;
export const mergedCustomers = sql`(
  SELECT c.id, c.root_id AS root FROM customers c JOIN customers p ON p.id = c.root_id
  WHERE c.root_id IS NOT NULL AND p.kind = 'known' AND p.erased_at IS NULL)`;

/** Do the two groups share any identifier (phone, card, device, ...)? Its type, or null. The blind index is per type and value. */
export async function sharedIdentifierType(db: Queryable, a: string[], b: string[]): Promise<string | null> {
  const r = await sql<{ type: string }>`
    SELECT x.type FROM customer_identifiers x JOIN customer_identifiers y ON y.type = x.type AND y.value_hash = x.value_hash
    WHERE x.customer_id = ANY(${a}::text[]) AND y.customer_id = ANY(${b}::text[]) LIMIT 1`.execute(db);
  return r.rows[0]?.type ?? null;
}

/**
 * The people segments count, one row each: roots of their group (merged ids count once, as their
 * root), known (not anonymous), not erased; their plain traits and when they were created.
 */
export const segmentPeople = sql`(
  SELECT id, created_at, traits FROM customers WHERE root_id IS NULL AND erased_at IS NULL AND kind = 'known')`;

/** Every tag of a group's members, under the group's root: `JOIN ${groupTags} t ON t.root = p.id`. */
export const groupTags = sql`(
  SELECT coalesce(c.root_id, c.id) AS root, t.tag FROM customer_tags t JOIN customers c ON c.id = t.customer_id)`;

/** Every event of a group's members, under the group's root. */
export const groupEvents = sql`(
  SELECT coalesce(c.root_id, c.id) AS root, e.event_id, e.type, e.occurred_at, e.properties
  FROM customer_events e JOIN customers c ON c.id = e.customer_id)`;

/** The consent in force per group and purpose: the latest record across the group wins (as currentConsents). */
export const groupConsents = sql`(
  SELECT DISTINCT ON (root, purpose) root, purpose, granted FROM (
    SELECT coalesce(c.root_id, c.id) AS root, cc.purpose, cc.granted, cc.at, cc.id
    FROM customer_consents cc JOIN customers c ON c.id = cc.customer_id) x
  ORDER BY root, purpose, at DESC, id DESC)`;

/** The manual tags of these customers (a person's members), once each: a FROM-clause fragment of `(tag)` rows. */
export const tagsOfCustomers = (ids: string[]) =>
  sql<{ tag: string }>`(SELECT DISTINCT tag FROM customer_tags WHERE customer_id IN (${sql.join(ids)}))`;

/**
 * People first identified at a store's till (members a store recruited, analytics): the root of
 * each group (the oldest profile, so the group's first identification) when it is a known profile
 * created by a POS call (`first_channel` pos), with when it was created. Erased people stay
 * counted (the figures do not change). A FROM-clause fragment: `FROM ${posRecruits} m`.
 */
export const posRecruits = sql`(
  SELECT id, created_at FROM customers WHERE root_id IS NULL AND kind = 'known' AND first_channel = 'pos')`;
