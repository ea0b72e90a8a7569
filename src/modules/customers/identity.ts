import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { audit, auditRow } from '../../platform/audit/audit';
import { open, seal, type KeyRing } from '../../platform/crypto/keys';
import type { Database, Tx } from '../../platform/db/database';
import { outboxRow, publish } from '../../platform/events/outbox';
import { conflict, notFound, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { InvalidIdentifier, IDENTIFIER_TYPES, mask, normalise, STRONG_TYPES, type IdentifierType } from './identifiers';
import { combine, restore, splitTraits, type TraitState } from './traits';

export interface IdentifyInput {
  identifiers: { type: string; value: string }[];
  traits?: Record<string, unknown>;
  channel: string;
  anonymous_id?: string;
  at?: Date;
}

export interface MergeRef {
  from: string;
  into: string;
  merge_id: string;
}

export interface IdentifyResult {
  customer_id: string;
  created: boolean;
  merged: MergeRef[];
}

type StoredType = IdentifierType | 'anonymous_id';

interface Ident {
  type: StoredType;
  value: string;
  hash: string;
  strong: boolean;
}

class Retry extends Error {}

/** Normalises and hashes the request's identifiers; an invalid one is a 422 naming it. */
export function prepareIdentifiers(keys: KeyRing, input: { identifiers: { type: string; value: string }[]; anonymous_id?: string }, blindIndex: (type: string, value: string) => string = (t, v) => keys.blindIndex(t, v)): Ident[] {
  const out: Ident[] = [];
  input.identifiers.forEach((raw, i) => {
    if (!(IDENTIFIER_TYPES as readonly string[]).includes(raw.type)) throw unprocessable('invalid_identifier', `unknown identifier type ${raw.type}`, `identifiers[${i}].type`);
    const type = raw.type as IdentifierType;
    let value: string;
    try {
      value = normalise(type, raw.value);
    } catch (e) {
      throw unprocessable('invalid_identifier', e instanceof InvalidIdentifier ? e.message : 'invalid identifier', `identifiers[${i}].value`);
    }
    if (!out.some((x) => x.type === type && x.value === value)) out.push({ type, value, hash: blindIndex(type, value), strong: STRONG_TYPES.has(type) });
  });
  if (input.anonymous_id) {
    const v = input.anonymous_id.trim();
    if (v === '' || v.length > 128) throw unprocessable('invalid_identifier', 'anonymous_id must be 1 to 128 characters', 'anonymous_id');
    out.push({ type: 'anonymous_id', value: v, hash: blindIndex('anonymous_id', v), strong: false });
  }
  return out;
}

interface Match {
  type: string;
  value_hash: string;
  customer_id: string;
  strong: boolean;
  last_seen: Date;
  root: string;
}

interface Root {
  id: string;
  created_at: Date;
  kind: string;
  data_key: Buffer | null;
  pii: Buffer | null;
  traits: Record<string, unknown>;
  trait_seen: Record<string, string>;
}

function isRetryable(e: unknown): boolean {
  if (e instanceof Retry) return true;
  const code = (e as { code?: string }).code;
  return code === '23505' || code === '40001' || code === '40P01';
}

/**
 * One ID. Resolves a request's identifiers to one customer, creating it or merging the customers it
 * links, by these rules (deterministic):
 * - a strong identifier (phone, email, unionid, member/POS card, external) belongs to one live customer;
 * - a request whose strong identifiers belong to several customers merges them into the oldest;
 * - a weak identifier (device, openid, anonymous id) never fuses two people: a customer found only
 *   through it is merged in only if it holds no strong identifier (a guest or anonymous profile);
 *   otherwise the request resolves to it only when it has no other strong identifier of a type the
 *   request also brings, and the weak identifier is then associated with both;
 * - merged-away customers keep resolving to their survivor (pointer, not copy), so unmerge is exact.
 * Safe under concurrency: conflicting writers hit the unique index or a row lock and retry.
 */
export async function identify(database: Database, keys: KeyRing, input: IdentifyInput, actor: Principal | null = null): Promise<IdentifyResult> {
  const idents = prepareIdentifiers(keys, input);
  if (idents.length === 0) throw unprocessable('identifier_required', 'give at least one identifier or an anonymous_id', 'identifiers');
  const at = input.at ?? new Date();
  for (let attempt = 0; ; attempt++) {
    try {
      return await database.db.transaction().execute((tx) => identifyTx(tx, keys, idents, input, at, actor));
    } catch (e) {
      if (!isRetryable(e) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
}

async function findMatches(tx: Tx, idents: Ident[]): Promise<Match[]> {
  const pairs = idents.map((i) => sql`(${i.type}, ${i.hash})`);
  const rows = await sql<Match>`
    SELECT ci.type, ci.value_hash, ci.customer_id, ci.strong, ci.last_seen, coalesce(c.root_id, c.id) AS root
    FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id
    WHERE (ci.type, ci.value_hash) IN (${sql.join(pairs)}) AND c.erased_at IS NULL`.execute(tx);
  return rows.rows;
}

async function lockRoots(tx: Tx, ids: string[]): Promise<Map<string, Root>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .selectFrom('customers')
    .select(['id', 'created_at', 'kind', 'data_key', 'pii', 'traits', 'trait_seen', 'merged_into', 'root_id', 'erased_at'])
    .where('id', 'in', [...new Set(ids)].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
  const out = new Map<string, Root>();
  for (const r of rows) {
    if (r.merged_into !== null || (r.root_id !== null && r.root_id !== r.id) || r.erased_at !== null) throw new Retry(); // merged meanwhile
    out.set(r.id, r);
  }
  if (out.size !== new Set(ids).size) throw new Retry();
  return out;
}

async function strongTypesOfGroup(tx: Tx, root: string): Promise<Map<string, Set<string>>> {
  const rows = await sql<{ type: string; value_hash: string }>`
    SELECT ci.type, ci.value_hash FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id
    WHERE coalesce(c.root_id, c.id) = ${root} AND ci.strong`.execute(tx);
  const m = new Map<string, Set<string>>();
  for (const r of rows.rows) m.set(r.type, (m.get(r.type) ?? new Set()).add(r.value_hash));
  return m;
}

export function dataKeyOf(keys: KeyRing, c: { data_key: Buffer | null }): Buffer {
  if (!c.data_key) throw new Error('customer has no data key');
  return keys.unwrap(c.data_key);
}

export function traitState(keys: KeyRing, c: { data_key: Buffer | null; pii: Buffer | null; traits: Record<string, unknown>; trait_seen: Record<string, string> }): TraitState {
  const personal = c.pii && c.data_key ? (JSON.parse(open(dataKeyOf(keys, c), c.pii).toString('utf8')) as Record<string, unknown>) : {};
  return { plain: { ...c.traits }, personal, seen: { ...c.trait_seen } };
}

async function writeTraits(tx: Tx, keys: KeyRing, root: Root, state: TraitState): Promise<void> {
  const pii = Object.keys(state.personal).length ? seal(dataKeyOf(keys, root), JSON.stringify(state.personal)) : null;
  await tx.updateTable('customers').set({ traits: JSON.stringify(state.plain), trait_seen: JSON.stringify(state.seen), pii, updated_at: new Date() }).where('id', '=', root.id).execute();
  root.traits = state.plain;
  root.trait_seen = state.seen;
  root.pii = pii;
}

async function mergeInto(tx: Tx, keys: KeyRing, from: Root, into: Root, channel: string, linkedBy: string[], actor: Principal | null): Promise<MergeRef> {
  const id = newId('mrg');
  // One statement: the whole group of `from` (itself included) now has `into` as its root, and
  // `from` itself points at `into`.
  await sql`
    UPDATE customers SET root_id = ${into.id},
      merged_into = CASE WHEN id = ${from.id} THEN ${into.id}::text ELSE merged_into END,
      updated_at = CASE WHEN id = ${from.id} THEN ${new Date()}::timestamptz ELSE updated_at END
    WHERE coalesce(root_id, id) = ${from.id}`.execute(tx);
  const { result, overwritten, took } = combine(traitState(keys, into), traitState(keys, from));
  await writeTraits(tx, keys, into, result);
  if (from.kind === 'known' && into.kind !== 'known') {
    await tx.updateTable('customers').set({ kind: 'known' }).where('id', '=', into.id).execute();
    into.kind = 'known';
  }
  const changes = seal(dataKeyOf(keys, into), JSON.stringify({ overwritten, took }));
  // The merge record, its outbox event and its audit entry in one statement.
  await tx
    .with('m', (db) => db.insertInto('customer_merges').values({ id, from_id: from.id, into_id: into.id, channel, linked_by: linkedBy, changes, undone_at: null }).returning('id'))
    .with('o', (db) => db.insertInto('outbox').values(outboxRow({ aggregateType: 'customer', aggregateId: into.id, type: 'customer.merged', payload: { merge_id: id, from: from.id, into: into.id, linked_by: linkedBy } })).returning('id'))
    .insertInto('audit_log')
    .values(auditRow(actor, { action: 'customer.merge', subject: into.id, details: { merge_id: id, from: from.id, linked_by: linkedBy } }))
    .execute();
  return { from: from.id, into: into.id, merge_id: id };
}

async function createCustomer(tx: Tx, keys: KeyRing, channel: string, kind: 'known' | 'anonymous', at: Date): Promise<Root> {
  const id = newId('cus', at.getTime());
  const dek = keys.newDataKey();
  const row = await tx
    .insertInto('customers')
    .values({ id, created_at: at, first_channel: channel, data_key: dek.wrapped, pii: null, traits: '{}', trait_seen: '{}', merged_into: null, erased_at: null, root_id: null, kind })
    .returning(['id', 'created_at', 'kind', 'data_key', 'pii', 'traits', 'trait_seen'])
    .executeTakeFirstOrThrow();
  return row;
}

async function identifyTx(tx: Tx, keys: KeyRing, idents: Ident[], input: IdentifyInput, at: Date, actor: Principal | null): Promise<IdentifyResult> {
  // Weak identifiers have no unique index (a family tablet sits on several people), so two calls
  // bringing the same new device could each attach it to someone else. Serialise calls that share
  // an identifier with transaction-scoped advisory locks, taken in one order to avoid deadlocks.
  await lockIdentifiers(tx, idents.map((i) => `${i.type}:${i.hash}`));
  const matches = await findMatches(tx, idents);
  const strongRoots = new Set(matches.filter((m) => m.strong).map((m) => m.root));
  const weakRoots = [...new Set(matches.filter((m) => !m.strong && !strongRoots.has(m.root)).map((m) => m.root))];
  const requestStrong = idents.filter((i) => i.strong);
  const unite = new Set(strongRoots);
  const known: { root: string; conflict: boolean; lastSeen: number }[] = [];
  for (const root of weakRoots) {
    const strong = await strongTypesOfGroup(tx, root);
    if (strong.size === 0) {
      unite.add(root); // a guest or anonymous profile: no person to confuse with
      continue;
    }
    const conflictType = requestStrong.some((i) => (strong.get(i.type)?.size ?? 0) > 0 && !strong.get(i.type)!.has(i.hash));
    const lastSeen = Math.max(...matches.filter((m) => m.root === root).map((m) => new Date(m.last_seen).getTime()));
    known.push({ root, conflict: conflictType, lastSeen });
  }
  if (strongRoots.size === 0) {
    const compatible = known.filter((k) => !k.conflict).sort((a, b) => b.lastSeen - a.lastSeen || (a.root < b.root ? -1 : 1));
    if (compatible.length > 0) unite.add(compatible[0].root);
  }

  const roots = await lockRoots(tx, [...unite]);
  const ordered = [...roots.values()].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1));
  let created = false;
  let survivor: Root;
  if (ordered.length === 0) {
    survivor = await createCustomer(tx, keys, input.channel, idents.some((i) => i.type !== 'anonymous_id') ? 'known' : 'anonymous', at);
    created = true;
  } else survivor = ordered[0];
  const merged: MergeRef[] = [];
  const linkedBy = [...new Set(idents.map((i) => i.type))].sort();
  for (const other of ordered.slice(1)) merged.push(await mergeInto(tx, keys, other, survivor, input.channel, linkedBy, actor));

  // Attach what the group does not have yet; refresh last_seen of what it has.
  const groupHas = new Set(matches.filter((m) => unite.has(m.root)).map((m) => `${m.type}|${m.value_hash}`));
  const dek = dataKeyOf(keys, survivor);
  const fresh = idents.filter((i) => !groupHas.has(`${i.type}|${i.hash}`));
  if (fresh.length > 0) {
    await tx
      .insertInto('customer_identifiers')
      .values(fresh.map((i) => ({ customer_id: survivor.id, type: i.type, value_hash: i.hash, value_enc: seal(dek, i.value), masked: i.type === 'anonymous_id' ? i.value.slice(0, 4) + '****' : mask(i.type, i.value), strong: i.strong, first_seen: at, last_seen: at })))
      .execute();
  }
  const seen = matches.filter((m) => unite.has(m.root));
  if (seen.length > 0) {
    await sql`UPDATE customer_identifiers SET last_seen = greatest(last_seen, ${at}) WHERE (type, value_hash, customer_id) IN (${sql.join(seen.map((m) => sql`(${m.type}, ${m.value_hash}, ${m.customer_id})`))})`.execute(tx);
  }
  if (fresh.some((i) => i.type !== 'anonymous_id') && survivor.kind !== 'known') {
    await tx.updateTable('customers').set({ kind: 'known' }).where('id', '=', survivor.id).execute();
  }
  if (input.traits && Object.keys(input.traits).length > 0) {
    const { plain, personal } = splitTraits(input.traits);
    const seenAt = Object.fromEntries(Object.keys(input.traits).map((k) => [k, at.toISOString()]));
    const { result } = combine(traitState(keys, survivor), { plain, personal, seen: seenAt });
    await writeTraits(tx, keys, survivor, result);
  }
  if (created) await publish(tx, { aggregateType: 'customer', aggregateId: survivor.id, type: 'customer.created', payload: { customer_id: survivor.id, channel: input.channel } });
  return { customer_id: survivor.id, created, merged };
}

/**
 * Transaction-scoped advisory locks on identifier keys (`type:hash`), taken in sorted order in one
 * statement. Every writer of new identifiers (identify, bulk event ingest) takes them, so two
 * writers bringing the same new weak identifier cannot both attach it to different people.
 */
export async function lockIdentifiers(tx: Tx, keys: string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT k FROM unnest(${sorted}::text[]) AS k ORDER BY k) AS s`.execute(tx);
}

/** Undoes a merge: the merged-away customer (and whatever was merged into it) stands alone again. */
export async function unmerge(database: Database, keys: KeyRing, customerId: string, mergeId: string, actor: Principal | null): Promise<{ merge_id: string; restored: string; survivor: string }> {
  return database.db.transaction().execute(async (tx) => {
    const m = await tx.selectFrom('customer_merges').selectAll().where('id', '=', mergeId).forUpdate().executeTakeFirst();
    if (!m) throw notFound('merge', 'merge_id');
    const root = await rootOf(tx, customerId);
    const rootOfInto = await rootOf(tx, m.into_id);
    if (!root || root !== rootOfInto) throw unprocessable('merge_not_of_customer', 'this merge does not belong to this customer', 'merge_id');
    if (m.undone_at) throw conflict('merge_already_undone', 'this merge was already undone', 'merge_id');
    const from = await tx.selectFrom('customers').select(['id', 'merged_into']).where('id', '=', m.from_id).forUpdate().executeTakeFirstOrThrow();
    if (from.merged_into !== m.into_id) throw conflict('merge_superseded', 'the merged customer has changed since', 'merge_id');
    await tx.updateTable('customers').set({ merged_into: null, updated_at: new Date() }).where('id', '=', from.id).execute();
    await sql`
      WITH RECURSIVE sub AS (
        SELECT id FROM customers WHERE id = ${from.id}
        UNION SELECT c.id FROM customers c JOIN sub ON c.merged_into = sub.id)
      UPDATE customers SET root_id = CASE WHEN id = ${from.id} THEN NULL ELSE ${from.id} END WHERE id IN (SELECT id FROM sub)`.execute(tx);
    const survivor = (await tx.selectFrom('customers').select(['id', 'created_at', 'kind', 'data_key', 'pii', 'traits', 'trait_seen']).where('id', '=', rootOfInto).forUpdate().executeTakeFirstOrThrow()) as Root;
    const into = await tx.selectFrom('customers').select(['data_key']).where('id', '=', m.into_id).executeTakeFirstOrThrow();
    if (m.changes && into.data_key) {
      const { overwritten, took } = JSON.parse(open(dataKeyOf(keys, into), m.changes).toString('utf8')) as { overwritten: TraitState; took: TraitState };
      await writeTraits(tx, keys, survivor, restore(traitState(keys, survivor), overwritten, took));
    }
    await tx.updateTable('customer_merges').set({ undone_at: new Date() }).where('id', '=', m.id).execute();
    await publish(tx, { aggregateType: 'customer', aggregateId: survivor.id, type: 'customer.unmerged', payload: { merge_id: m.id, restored: from.id, survivor: survivor.id } });
    await audit(tx, actor, { action: 'customer.unmerge', subject: survivor.id, details: { merge_id: m.id, restored: from.id } });
    return { merge_id: m.id, restored: from.id, survivor: survivor.id };
  });
}

/** The live customer an id resolves to (itself, or its survivor); null when unknown or erased. */
export async function rootOf(db: Database['db'] | Tx, id: string): Promise<string | null> {
  const r = await db.selectFrom('customers').select(['id', 'root_id', 'erased_at']).where('id', '=', id).executeTakeFirst();
  if (!r || r.erased_at) return null;
  return r.root_id ?? r.id;
}

/** Every customer id of a group (the root and all merged into it), for reads that span the person. */
export async function groupIds(db: Database['db'] | Tx, root: string): Promise<string[]> {
  return (await sql<{ id: string }>`SELECT id FROM customers WHERE coalesce(root_id, id) = ${root}`.execute(db)).rows.map((r) => r.id);
}
