import { sql, type RawBuilder } from 'kysely';
import { open, type KeyRing } from '../../platform/crypto/keys';
import type { Queryable } from '../../platform/db/database';
import type { IdentifierType } from './identifiers';

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

/**
 * Rows of customers (`rows`, a fragment with a `customer_id` column) under the people they belong
 * to, for joining to segmentPeople on `root`: every row under its own customer id, and a merged
 * member's rows under its group's root as well. A merged member's id is no person (segmentPeople
 * are roots), so joined to people each row counts once, for its root — without a lookup of every
 * row's customer: a person's own rows are found by `customer_id` alone (its index), and only the
 * few merged members are joined (index customers_merged_members).
 */
export const underPeople = (rows: RawBuilder<unknown>) => sql`(
  SELECT x.*, x.customer_id AS root FROM ${rows} x
  UNION ALL
  SELECT x.*, m.root_id AS root FROM ${rows} x JOIN customers m ON m.id = x.customer_id WHERE m.root_id IS NOT NULL)`;

/** Every event of a group's members, under the group's root (as underPeople: join it to segmentPeople). */
export const groupEvents = sql`(
  SELECT g.root, g.event_id, g.type, g.occurred_at, g.properties
  FROM ${underPeople(sql`(SELECT customer_id, event_id, type, occurred_at, properties FROM customer_events)`)} g)`;

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
const at = (t: Date) => sql`${t.toISOString()}::timestamptz`;

/**
 * Change feed for audiences kept current incrementally (segments' upkeep): the ids (`id` rows, not
 * roots; duplicates possible) of customers whose profile changed after `since` — traits, manual
 * tags, kind, merges and unmerges (both sides), erasure: each bumps `updated_at` or writes a merge row.
 */
export const profilesChangedSince = (since: Date) => sql<{ id: string }>`(
  SELECT id FROM customers WHERE updated_at > ${at(since)}
  UNION ALL SELECT m.from_id FROM customer_merges m WHERE m.created_at > ${at(since)} OR m.undone_at > ${at(since)}
  UNION ALL SELECT m.into_id FROM customer_merges m WHERE m.created_at > ${at(since)} OR m.undone_at > ${at(since)})`;

/** Ids of customers with events received after `since` (late ones too, whatever their occurred_at). */
export const eventCustomersSince = (since: Date) => sql<{ id: string }>`(
  SELECT customer_id AS id FROM customer_events WHERE received_at > ${at(since)} AND customer_id IS NOT NULL)`;

/** Ids of customers with events of `type` (all types if null) that occurred in `(from, to]`: a window edge passing. */
export const eventCustomersBetween = (type: string | null, from: Date, to: Date) => sql<{ id: string }>`(
  SELECT customer_id AS id FROM customer_events
  WHERE ${type === null ? sql`true` : sql`type = ${type}::text`}
    AND occurred_at > ${at(from)} AND occurred_at <= ${at(to)} AND customer_id IS NOT NULL)`;

/** Ids of customers with consents recorded after `since`. */
export const consentCustomersSince = (since: Date) => sql<{ id: string }>`(
  SELECT customer_id AS id FROM customer_consents WHERE at > ${at(since)})`;

/** Ids of customers created in `(from, to]`. */
export const customersCreatedBetween = (from: Date, to: Date) => sql<{ id: string }>`(
  SELECT id FROM customers WHERE created_at > ${at(from)} AND created_at <= ${at(to)})`;

/**
 * The people these customer ids concern: each id and the root of its group (a merged-away id
 * leaves its old memberships, its root's change), distinct. `ids` is a fragment of `(id)` rows.
 */
export const peopleOfIds = (ids: RawBuilder<{ id: string }>) => sql<{ id: string }>`(
  SELECT x.id FROM ${ids} x
  UNION SELECT coalesce(c.root_id, c.id) FROM customers c WHERE c.id IN (SELECT y.id FROM ${ids} y))`;

export { groupIds, identify, rootOf, rootsOf } from './identity';

/**
 * The SKUs a person (`root`) viewed after `since` — `product_viewed` events of any id of the group
 * with a `sku` property — once each, with the latest view (`sku`, `viewed_at`). A FROM-clause fragment.
 */
export const viewedSkus = (root: string, since: Date) => sql<{ sku: string; viewed_at: Date }>`(
  SELECT e.properties ->> 'sku' AS sku, max(e.occurred_at) AS viewed_at FROM customer_events e
  WHERE e.customer_id IN (SELECT id FROM customers WHERE id = ${root} OR root_id = ${root})
    AND e.type = 'product_viewed' AND e.occurred_at > ${at(since)} AND e.properties ->> 'sku' IS NOT NULL
  GROUP BY e.properties ->> 'sku')`;

/**
 * Events of these types received in `(from, to]` (journeys' event triggers read new events through
 * this, after ingest, by received_at: index customer_events_type_received) under the root of the
 * customer's group, erased people left out: a FROM-clause fragment.
 */
export const eventsReceivedBetween = (types: string[], from: Date, to: Date) => sql<{
  event_id: string;
  type: string;
  root: string;
  location_id: string | null;
  properties: Record<string, unknown>;
  received_at: Date;
}>`(
  SELECT e.event_id, e.type, coalesce(c.root_id, c.id) AS root, e.location_id, e.properties, e.received_at
  FROM customer_events e JOIN customers c ON c.id = e.customer_id
  WHERE e.type = ANY(${types}::text[]) AND e.received_at > ${at(from)} AND e.received_at <= ${at(to)}
    AND c.erased_at IS NULL)`;

/**
 * The address a message to the person (a root id, not erased) goes to: the most recently seen
 * identifier of the type across the group, masked (138****5678); null when the person has none.
 * Reads no personal value: for deciding and showing, not for sending.
 */
export async function maskedAddress(db: Queryable, root: string, type: IdentifierType): Promise<string | null> {
  const r = await sql<{ masked: string }>`
    SELECT ci.masked FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id
    WHERE coalesce(c.root_id, c.id) = ${root} AND c.erased_at IS NULL AND ci.type = ${type}
    ORDER BY ci.last_seen DESC, ci.customer_id LIMIT 1`.execute(db);
  return r.rows[0]?.masked ?? null;
}

/**
 * The same address decrypted, only to hand a message to its gateway (never store or log it):
 * `value` plain, `masked` as maskedAddress; null when none is left readable (erased, no key).
 */
export async function messageAddress(
  db: Queryable,
  keys: KeyRing,
  root: string,
  type: IdentifierType,
): Promise<{ value: string; masked: string } | null> {
  const r = await sql<{ value_enc: Buffer | null; masked: string; data_key: Buffer | null }>`
    SELECT ci.value_enc, ci.masked, c.data_key FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id
    WHERE coalesce(c.root_id, c.id) = ${root} AND c.erased_at IS NULL AND ci.type = ${type}
      AND ci.value_enc IS NOT NULL AND c.data_key IS NOT NULL
    ORDER BY ci.last_seen DESC, ci.customer_id LIMIT 1`.execute(db);
  const row = r.rows[0];
  if (!row?.value_enc || !row.data_key) return null;
  return { value: open(keys.unwrap(row.data_key), row.value_enc).toString('utf8'), masked: row.masked };
}
/** Customers' names as a viewer may see them (orders list, exports): see names.ts. */
export { namesFor } from './names';
/** Behaviour events in (the shelf-QR page records its anonymous scans through the one ingest). */
export { ingestEvents } from './events';
/** The customer a reference names ({id} or {type, value}), never creating one. */
export { findCustomer } from './resolve';
/** The person a reference names, created when new (placing an order, reserving, booking): see resolve.ts. */
export { resolveCustomer } from './resolve';
/** Events of known customers from other modules' domain events, in the caller's transaction. */
export { recordCustomerEvents, type CustomerEventInput } from './domain-events';

/** Modules that hold personal data register how an erasure clears it (customers/erasure.ts runs them). */
export { registerErasureStep, type ErasureScope } from './erasure-steps';

/** Modules add their own sections to the customer profile. */
export { registerProfileSection } from './profile-sections';

export { CONSENT_PURPOSES, isGranted, type ConsentPurpose } from './consent';

export { IDENTIFIER_TYPES, InvalidIdentifier, normalise, type IdentifierType } from './identifiers';

export type { CustomerRef } from './resolve';

export { greetingFields } from './greeting';
export { changeManualTags } from './tags';
export { peopleByDateTrait } from './date-traits';
export { isPersonalTrait } from './trait-schema';
