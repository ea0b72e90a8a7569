import { sql, type RawBuilder } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { audit, auditRow } from '../../platform/audit/audit';
import { open, seal, type KeyRing } from '../../platform/crypto/keys';
import type { Database, Tx } from '../../platform/db/database';
import { outboxRow, publish } from '../../platform/events/outbox';
import { AppError, conflict, notFound, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { InvalidIdentifier, IDENTIFIER_TYPES, mask, normalise, STRONG_TYPES, type IdentifierType } from './identifiers';
import { BEGIN_GENERIC, lit, litTime, inlinable, withSession, type Session } from './session';
import { combine, restore, splitTraits, type TraitState } from './traits';
import { lockPersons } from '../../platform/db/locks';
import { transact } from '../../platform/db/transaction';
import { isTrustedIdentityCaller } from './trusted-caller';
import { useVerifications, VERIFIED_BY, type VerificationRef, type VerifiedBy } from './verification';
import { nameOf } from './person-name';
import { searchKeyWrites } from './search-keys';

interface IdentifierInput {
  type: string;
  value: string;
  /** How the caller verified it; only trusted callers may say more than self_asserted. */
  verified_by?: string;
}

export interface IdentifyInput {
  identifiers: IdentifierInput[];
  traits?: Record<string, unknown>;
  channel: string;
  anonymous_id?: string;
  /** One-time codes (POST /v1/verifications) proving the caller holds these phones or e-mails. */
  verification?: VerificationRef | VerificationRef[];
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
  /** Present when links were withheld: the answer is a separate profile, not the customers found by these types. */
  linked?: false;
  pending_verification?: string[];
}

type StoredType = IdentifierType | 'anonymous_id';

interface Ident {
  type: StoredType;
  value: string;
  hash: string;
  strong: boolean;
  verifiedBy: VerifiedBy;
}

class Retry extends Error {}

/** Normalises and hashes the request's identifiers; an invalid one is a 422 naming it. */
export function prepareIdentifiers(
  keys: KeyRing,
  input: { identifiers: IdentifierInput[]; anonymous_id?: string },
  blindIndex: (type: string, value: string) => string = (t, v) => keys.blindIndex(t, v),
): Ident[] {
  const out: Ident[] = [];
  input.identifiers.forEach((raw, i) => {
    if (!(IDENTIFIER_TYPES as readonly string[]).includes(raw.type))
      throw unprocessable('invalid_identifier', `unknown identifier type ${raw.type}`, `identifiers[${i}].type`);
    const type = raw.type as IdentifierType;
    let value: string;
    try {
      value = normalise(type, raw.value);
    } catch (e) {
      throw unprocessable(
        'invalid_identifier',
        e instanceof InvalidIdentifier ? e.message : 'invalid identifier',
        `identifiers[${i}].value`,
      );
    }
    const verifiedBy = (raw.verified_by ?? 'self_asserted') as VerifiedBy;
    if (!VERIFIED_BY.includes(verifiedBy)) {
      throw unprocessable(
        'invalid_identifier',
        `verified_by must be one of ${VERIFIED_BY.join(', ')}`,
        `identifiers[${i}].verified_by`,
      );
    }
    if (!out.some((x) => x.type === type && x.value === value)) {
      out.push({ type, value, hash: blindIndex(type, value), strong: STRONG_TYPES.has(type), verifiedBy });
    }
  });
  if (input.anonymous_id) {
    const v = input.anonymous_id.trim();
    if (v === '' || v.length > 128)
      throw unprocessable('invalid_identifier', 'anonymous_id must be 1 to 128 characters', 'anonymous_id');
    out.push({
      type: 'anonymous_id',
      value: v,
      hash: blindIndex('anonymous_id', v),
      strong: false,
      verifiedBy: 'self_asserted',
    });
  }
  return out;
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

/** A customer_identifiers row that one of the request's identifiers matched, with its group's root (locked). */
interface Match {
  type: string;
  value_hash: string;
  customer_id: string;
  strong: boolean;
  last_seen: Date;
  verified_by: string | null;
  root: Root & { merged_into: string | null; root_id: string | null; erased: boolean };
  /** For a weak match: the strong identifiers (type, hash) of the root's whole group. */
  group_strong: [string, string][] | null;
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
 * - merged-away customers keep resolving to their survivor (pointer, not copy), so unmerge is exact;
 * - verified links: a caller that is not trusted (isTrustedIdentityCaller) links a customer holding
 *   strong identifiers to anything new only with a one-time code for one of that customer's
 *   identifiers on the request; otherwise the request gets a separate profile (see withholdUnproven).
 * Safe under concurrency: calls sharing an identifier serialise on its advisory lock, the roots
 * they write are row-locked, and a writer that loses anyway hits the unique index and retries.
 *
 * Round trips (each costs more CPU than the statements in it): one to begin, lock the identifiers,
 * and read their matches with the roots locked; then, when something changes, one statement with
 * every write, and the commit. A known customer's call is two round trips, anything else three.
 */
export async function identify(
  database: Database,
  keys: KeyRing,
  input: IdentifyInput,
  actor: Principal | null = null,
): Promise<IdentifyResult> {
  const idents = prepareIdentifiers(keys, input);
  if (idents.length === 0)
    throw unprocessable('identifier_required', 'give at least one identifier or an anonymous_id', 'identifiers');
  // Without an actor: the operator's own tools (imports), as trusted as an admin key.
  const trusted = actor === null || isTrustedIdentityCaller(actor);
  if (!trusted) {
    const i = input.identifiers.findIndex((x) => x.verified_by !== undefined && x.verified_by !== 'self_asserted');
    const why = 'only trusted callers may declare an identifier verified; send a one-time code instead';
    if (i >= 0) throw new AppError(403, 'verification_not_trusted', why, `identifiers[${i}].verified_by`);
  }
  if (input.verification !== undefined) {
    const many = Array.isArray(input.verification);
    const refs = many ? (input.verification as VerificationRef[]) : [input.verification as VerificationRef];
    const strong = idents.filter((i) => i.strong).map((i) => `${i.type}:${i.hash}`);
    const proven = await useVerifications(
      database,
      keys,
      refs,
      (k) => (many ? `verification[${k}]` : 'verification'),
      strong,
      actor,
    );
    for (const i of idents) if (proven.has(`${i.type}:${i.hash}`)) i.verifiedBy = 'otp';
  }
  const at = input.at ?? new Date();
  for (let attempt = 0; ; attempt++) {
    try {
      return await withSession(database, (s) => identifyTx(s, keys, idents, input, at, actor, trusted));
    } catch (e) {
      if (!isRetryable(e) || attempt >= 8) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
}

/**
 * The first round trip: BEGIN; the advisory locks on every identifier of the call (weak ones have no
 * unique index, so two calls bringing the same new device could otherwise each attach it to someone
 * else), in one order to avoid deadlocks; then, with a snapshot taken after the locks (each statement
 * of a script takes its own), the rows the identifiers match, each with its group's root locked FOR
 * UPDATE (in id order) and, for weak matches, that group's strong identifiers. Locking every matched
 * root (not only those the call ends up writing) saves a round trip; the extra ones are a family's
 * other members, held briefly.
 */
async function beginAndMatch(s: Session, idents: Ident[]): Promise<Match[]> {
  // Prepared once per connection and number of identifiers: planning this join costs several times
  // what running it does.
  const name = `one_id_match_${idents.length}`;
  const pairs = idents.map((_, k) => `($${2 * k + 1}, $${2 * k + 2})`).join(', ');
  const prepare = s.prepareOnce(
    name,
    `
    SELECT ci.type, ci.value_hash, ci.customer_id, ci.strong, ci.last_seen, ci.verified_by,
      r.id AS root, r.merged_into, r.root_id, r.erased_at IS NOT NULL AS erased, r.created_at, r.kind, r.data_key, r.pii, r.traits, r.trait_seen,
      CASE WHEN NOT ci.strong THEN (
        SELECT coalesce(json_agg(json_build_array(g.type, g.value_hash)), '[]') FROM customer_identifiers g JOIN customers gc ON gc.id = g.customer_id
        WHERE coalesce(gc.root_id, gc.id) = r.id AND g.strong) END AS group_strong
    FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id JOIN customers r ON r.id = coalesce(c.root_id, c.id)
    WHERE (ci.type, ci.value_hash) IN (${pairs}) AND c.erased_at IS NULL
    ORDER BY r.id
    FOR UPDATE OF r`,
  );
  const results = await s.script([
    ...prepare,
    ...BEGIN_GENERIC,
    lockIdentifiersStatement(idents.map((i) => `${i.type}:${i.hash}`)),
    `EXECUTE ${name}(${idents.map((i) => `${lit(i.type)}, ${lit(i.hash)}`).join(', ')})`,
  ]);
  const rows = results[results.length - 1];
  return rows.map((x) => ({
    type: x.type as string,
    value_hash: x.value_hash as string,
    customer_id: x.customer_id as string,
    strong: x.strong as boolean,
    last_seen: x.last_seen as Date,
    verified_by: x.verified_by as string | null,
    group_strong: x.group_strong as [string, string][] | null,
    root: {
      id: x.root as string,
      merged_into: x.merged_into as string | null,
      root_id: x.root_id as string | null,
      erased: x.erased as boolean,
      created_at: x.created_at as Date,
      kind: x.kind as string,
      data_key: x.data_key as Buffer | null,
      pii: x.pii as Buffer | null,
      traits: x.traits as Record<string, unknown>,
      trait_seen: x.trait_seen as Record<string, string>,
    },
  }));
}

export function dataKeyOf(keys: KeyRing, c: { data_key: Buffer | null }): Buffer {
  if (!c.data_key) throw new Error('customer has no data key');
  return keys.unwrap(c.data_key);
}

export function traitState(
  keys: KeyRing,
  c: {
    data_key: Buffer | null;
    pii: Buffer | null;
    traits: Record<string, unknown>;
    trait_seen: Record<string, string>;
  },
): TraitState {
  return stateWith(c.pii && c.data_key ? dataKeyOf(keys, c) : null, c);
}

function stateWith(
  dek: Buffer | null,
  c: { pii: Buffer | null; traits: Record<string, unknown>; trait_seen: Record<string, string> },
): TraitState {
  const personal = c.pii && dek ? (JSON.parse(open(dek, c.pii).toString('utf8')) as Record<string, unknown>) : {};
  return { plain: { ...c.traits }, personal, seen: { ...c.trait_seen } };
}

async function writeTraits(tx: Tx, keys: KeyRing, root: Root, state: TraitState): Promise<void> {
  const pii = Object.keys(state.personal).length ? seal(dataKeyOf(keys, root), JSON.stringify(state.personal)) : null;
  await tx
    .updateTable('customers')
    .set({ traits: JSON.stringify(state.plain), trait_seen: JSON.stringify(state.seen), pii, updated_at: new Date() })
    .where('id', '=', root.id)
    .execute();
  root.traits = state.plain;
  root.trait_seen = state.seen;
  root.pii = pii;
}

const rowsOf = (rows: unknown[][]) => sql.join(rows.map((r) => sql`(${sql.join(r)})`));

async function identifyTx(
  s: Session,
  keys: KeyRing,
  idents: Ident[],
  input: IdentifyInput,
  at: Date,
  actor: Principal | null,
  trusted: boolean,
): Promise<IdentifyResult> {
  const matches = await beginAndMatch(s, idents);
  const rootOfId = new Map(matches.map((m) => [m.root.id, m.root]));
  const strongRoots = new Set(matches.filter((m) => m.strong).map((m) => m.root.id));
  const weakRoots = [...new Set(matches.filter((m) => !m.strong && !strongRoots.has(m.root.id)).map((m) => m.root.id))];
  const requestStrong = idents.filter((i) => i.strong);
  const unite = new Set(strongRoots);
  const known: { root: string; conflict: boolean; lastSeen: number }[] = [];
  for (const root of weakRoots) {
    const strong = new Map<string, Set<string>>();
    for (const [type, hash] of matches.find((m) => m.root.id === root)!.group_strong ?? [])
      strong.set(type, (strong.get(type) ?? new Set()).add(hash));
    if (strong.size === 0) {
      unite.add(root); // a guest or anonymous profile: no person to confuse with
      continue;
    }
    const conflictType = requestStrong.some(
      (i) => (strong.get(i.type)?.size ?? 0) > 0 && !strong.get(i.type)!.has(i.hash),
    );
    const lastSeen = Math.max(...matches.filter((m) => m.root.id === root).map((m) => new Date(m.last_seen).getTime()));
    known.push({ root, conflict: conflictType, lastSeen });
  }
  if (strongRoots.size === 0) {
    const compatible = known
      .filter((k) => !k.conflict)
      .sort((a, b) => b.lastSeen - a.lastSeen || (a.root < b.root ? -1 : 1));
    if (compatible.length > 0) unite.add(compatible[0].root);
  }
  const withheld = trusted ? null : withholdUnproven(matches, unite, strongRoots, idents);
  const ordered = [...unite].map((id) => rootOfId.get(id)!);
  for (const r of ordered)
    if (r.merged_into !== null || (r.root_id !== null && r.root_id !== r.id) || r.erased) throw new Retry(); // merged or erased meanwhile
  ordered.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1));

  // Everything the call changes is worked out here, then written in one statement.
  const writes: RawBuilder<unknown>[] = [];
  let survivor: Root;
  let dek: Buffer;
  const created = ordered.length === 0;
  if (created) {
    const k = keys.newDataKey();
    survivor = {
      id: newId('cus', at.getTime()),
      created_at: at,
      kind: idents.some((i) => i.type !== 'anonymous_id') ? 'known' : 'anonymous',
      data_key: k.wrapped,
      pii: null,
      traits: {},
      trait_seen: {},
    };
    dek = k.plain;
  } else {
    survivor = ordered[0];
    dek = dataKeyOf(keys, survivor);
  }
  let state = stateWith(dek, survivor);
  let kind = survivor.kind;
  let traitsChanged = false;

  // Merges: every other root's group now has the survivor as its root and that root points at it;
  // traits combine in age order, as one merge after another would.
  const merged: MergeRef[] = [];
  const linkedBy = [...new Set(idents.map((i) => i.type))].sort();
  const mergeRows: unknown[][] = [];
  const outbox: ReturnType<typeof outboxRow>[] = [];
  const audits: ReturnType<typeof auditRow>[] = [];
  for (const from of ordered.slice(1)) {
    const id = newId('mrg');
    const { result, overwritten, took } = combine(state, traitState(keys, from));
    state = result;
    traitsChanged = true;
    if (from.kind === 'known') kind = 'known';
    mergeRows.push([
      id,
      from.id,
      survivor.id,
      input.channel,
      sql`${linkedBy}::text[]`,
      seal(dek, JSON.stringify({ overwritten, took })),
      null,
    ]);
    outbox.push(
      outboxRow({
        aggregateType: 'customer',
        aggregateId: survivor.id,
        type: 'customer.merged',
        payload: { merge_id: id, from: from.id, into: survivor.id, linked_by: linkedBy },
      }),
    );
    audits.push(
      auditRow(actor, {
        action: 'customer.merge',
        subject: survivor.id,
        details: { merge_id: id, from: from.id, linked_by: linkedBy },
      }),
    );
    merged.push({ from: from.id, into: survivor.id, merge_id: id });
  }
  if (merged.length > 0) {
    const froms = merged.map((m) => m.from);
    writes.push(sql`
      UPDATE customers SET root_id = ${survivor.id},
        merged_into = CASE WHEN id = ANY(${froms}::text[]) THEN ${survivor.id}::text ELSE merged_into END,
        updated_at = CASE WHEN id = ANY(${froms}::text[]) THEN ${new Date()}::timestamptz ELSE updated_at END
      WHERE coalesce(root_id, id) = ANY(${froms}::text[])`);
    writes.push(
      sql`INSERT INTO customer_merges (id, from_id, into_id, channel, linked_by, changes, undone_at) VALUES ${rowsOf(mergeRows)}`,
    );
    writes.push(
      sql`INSERT INTO audit_log (actor_key, actor_role, action, subject, reason, details) VALUES ${rowsOf(audits.map((a) => [a.actor_key, a.actor_role, a.action, a.subject, a.reason, a.details]))}`,
    );
  }

  // Attach what the group does not have yet (nor a customer it was not linked to); refresh last_seen
  // of what it has, recording a better verification on the way.
  const held = matches.filter((m) => unite.has(m.root.id) || withheld?.from.has(m.root.id));
  const groupHas = new Set(held.map((m) => `${m.type}|${m.value_hash}`));
  const fresh = idents.filter((i) => !groupHas.has(`${i.type}|${i.hash}`));
  if (fresh.length > 0) {
    const masked = (i: Ident) => (i.type === 'anonymous_id' ? i.value.slice(0, 4) + '****' : mask(i.type, i.value));
    const rows = fresh.map((i) => [
      survivor.id,
      i.type,
      i.hash,
      seal(dek, i.value),
      masked(i),
      i.strong,
      at,
      at,
      i.verifiedBy,
    ]);
    writes.push(sql`
      INSERT INTO customer_identifiers (customer_id, type, value_hash, value_enc, masked, strong, first_seen, last_seen, verified_by)
      VALUES ${rowsOf(rows)}`);
    if (fresh.some((i) => i.type !== 'anonymous_id')) kind = 'known';
  }
  const identOf = new Map(idents.map((i) => [`${i.type}|${i.hash}`, i]));
  const upgrades: unknown[][] = [];
  const seen = matches.filter((m) => {
    if (!unite.has(m.root.id)) return false;
    const by = identOf.get(`${m.type}|${m.value_hash}`)!.verifiedBy;
    if (by === 'self_asserted' || by === m.verified_by) return true;
    upgrades.push([m.type, m.value_hash, m.customer_id, by]);
    return false;
  });
  if (upgrades.length > 0) {
    writes.push(sql`
      UPDATE customer_identifiers AS ci SET verified_by = v.by, last_seen = greatest(ci.last_seen, ${at})
      FROM (VALUES ${rowsOf(upgrades)}) AS v(type, value_hash, customer_id, by)
      WHERE ci.type = v.type AND ci.value_hash = v.value_hash AND ci.customer_id = v.customer_id`);
  }
  if (withheld) {
    const details = { not_linked_to: [...withheld.from], pending_verification: withheld.pending };
    const a = auditRow(actor, { action: 'customer.link_withheld', subject: survivor.id, details });
    const values = [a.actor_key, a.actor_role, a.action, a.subject, a.reason, a.details];
    writes.push(
      sql`INSERT INTO audit_log (actor_key, actor_role, action, subject, reason, details) VALUES (${sql.join(values)})`,
    );
  }
  if (input.traits && Object.keys(input.traits).length > 0) {
    const { plain, personal } = splitTraits(input.traits);
    const seenAt = Object.fromEntries(Object.keys(input.traits).map((k) => [k, at.toISOString()]));
    state = combine(state, { plain, personal, seen: seenAt }).result;
    traitsChanged = true;
  }
  const pii = () => (Object.keys(state.personal).length ? seal(dek, JSON.stringify(state.personal)) : null);
  if (created) {
    writes.unshift(sql`
      INSERT INTO customers (id, created_at, first_channel, data_key, pii, traits, trait_seen, merged_into, erased_at, root_id, kind, updated_at)
      VALUES (${survivor.id}, ${at}, ${input.channel}, ${survivor.data_key}, ${pii()}, ${JSON.stringify(state.plain)}, ${JSON.stringify(state.seen)}, NULL, NULL, NULL, ${kind}, ${new Date()})`);
    outbox.push(
      outboxRow({
        aggregateType: 'customer',
        aggregateId: survivor.id,
        type: 'customer.created',
        payload: { customer_id: survivor.id, channel: input.channel },
      }),
    );
  } else if (traitsChanged) {
    writes.push(
      sql`UPDATE customers SET traits = ${JSON.stringify(state.plain)}, trait_seen = ${JSON.stringify(state.seen)}, pii = ${pii()}, kind = ${kind}, updated_at = ${new Date()} WHERE id = ${survivor.id}`,
    );
  } else if (kind !== survivor.kind) {
    writes.push(sql`UPDATE customers SET kind = ${kind} WHERE id = ${survivor.id}`);
  }
  // Search keys (phone tail, name) with the identifiers and traits they come from.
  if (writes.length > 0)
    writes.push(
      ...searchKeyWrites(
        keys,
        survivor.id,
        fresh.filter((i) => i.type === 'phone').map((i) => i.value),
        created || traitsChanged ? nameOf(state.personal) : undefined,
      ),
    );
  if (outbox.length > 0)
    writes.push(
      sql`INSERT INTO outbox (aggregate_type, aggregate_id, type, payload, dispatched_at) VALUES ${rowsOf(outbox.map((o) => [o.aggregate_type, o.aggregate_id, o.type, o.payload, null]))}`,
    );

  const touch = seen.map((m) => [m.type, m.value_hash, m.customer_id]);
  if (writes.length === 0 && touch.length === 0) await s.script(['COMMIT']);
  else if (writes.length === 0 && inlinable(touch.flat())) {
    // A known customer, nothing new: refresh last_seen and commit in one round trip.
    const name = `one_id_touch_${touch.length}`;
    const prepare = s.prepareOnce(
      name,
      `UPDATE customer_identifiers SET last_seen = greatest(last_seen, $1::timestamptz) WHERE (type, value_hash, customer_id) IN (${touch.map((_, k) => `($${3 * k + 2}, $${3 * k + 3}, $${3 * k + 4})`).join(', ')})`,
    );
    await s.script([...prepare, `EXECUTE ${name}(${litTime(at)}, ${touch.flat().map(lit).join(', ')})`, 'COMMIT']);
  } else {
    if (touch.length > 0)
      writes.push(
        sql`UPDATE customer_identifiers SET last_seen = greatest(last_seen, ${at}) WHERE (type, value_hash, customer_id) IN (${rowsOf(touch)})`,
      );
    // Data-modifying statements in one WITH run once each, on disjoint rows (the new customer, the
    // merged groups, the survivor, identifiers new and seen); foreign keys are checked at its end.
    await s.query(
      writes.length === 1
        ? writes[0]
        : sql`WITH ${sql.join(writes.map((w, i) => sql`${sql.raw(`w${i}`)} AS (${w})`))} SELECT 1`,
    );
    await s.script(['COMMIT']);
  }
  const result: IdentifyResult = { customer_id: survivor.id, created, merged };
  return withheld ? { ...result, linked: false, pending_verification: withheld.pending } : result;
}

/**
 * Verified links, for a caller that is not trusted. A request links a person (a customer holding a
 * strong identifier) to something new when it attaches a new strong identifier to them or merges
 * them with another person; whoever holds the new identifier could then use the member's points, so
 * the request must prove it speaks for every person it links: a one-time code for one of that
 * person's strong identifiers on the request (the phone it was found by, not the new one, which the
 * caller may well hold). Unproven persons are left out of `unite` and keep their identifiers; the
 * request then goes to the proven persons, else to a separate profile: a new customer with the
 * request's new identifiers, or, when it brings none, the youngest unproven person (its profile is
 * updated, nothing is linked to it). A guest (no strong identifier) merges as ever.
 * Returns null when nothing is withheld (always so when nothing needs proving: no extra round trip).
 */
function withholdUnproven(
  matches: Match[],
  unite: Set<string>,
  strongRoots: Set<string>,
  idents: Ident[],
): { from: Set<string>; pending: string[] } | null {
  const persons = [...unite].filter(
    (r) => strongRoots.has(r) || matches.some((m) => m.root.id === r && (m.group_strong?.length ?? 0) > 0),
  );
  const newStrong = idents.some((i) => i.strong && !matches.some((m) => m.type === i.type && m.value_hash === i.hash));
  if (persons.length === 0 || (persons.length === 1 && !newStrong)) return null;
  const proven = new Set(idents.filter((i) => i.verifiedBy === 'otp').map((i) => `${i.type}|${i.hash}`));
  const from = new Set(
    persons.filter((r) => !matches.some((m) => m.root.id === r && m.strong && proven.has(`${m.type}|${m.value_hash}`))),
  );
  if (from.size === 0) return null;
  for (const r of from) unite.delete(r);
  if (unite.size === 0 && !newStrong) {
    const youngest = [...from]
      .map((r) => matches.find((m) => m.root.id === r)!.root)
      .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1))[0];
    from.delete(youngest.id);
    unite.add(youngest.id);
  }
  const pending = [...new Set(matches.filter((m) => from.has(m.root.id)).map((m) => m.type))].sort();
  return { from, pending };
}

/**
 * The statement that takes transaction-scoped advisory locks on identifier keys (`type:hash`), in
 * sorted order. Every writer of new identifiers (identify, bulk event ingest) runs it first in its
 * transaction, so two writers bringing the same new weak identifier cannot both attach it to
 * different people. Literal text, for a script that starts with BEGIN (see session.ts).
 */
export function lockIdentifiersStatement(keys: string[]): string {
  const sorted = [...new Set(keys)].sort();
  return `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT k FROM unnest(ARRAY[${sorted.map(lit).join(', ')}]::text[]) AS k ORDER BY k) AS s`;
}

/** Undoes a merge: the merged-away customer (and whatever was merged into it) stands alone again. */
export async function unmerge(
  database: Database,
  keys: KeyRing,
  customerId: string,
  mergeId: string,
  actor: Principal | null,
): Promise<{ merge_id: string; restored: string; survivor: string }> {
  return transact(database.db, async (tx) => {
    // The person first, as erasure takes it: its root row, then its points lock (rank 2,
    // platform/db/locks.ts); only then the merge row and the group's other rows.
    const lockedRoot = await rootOf(tx, customerId);
    if (lockedRoot) {
      await tx.selectFrom('customers').select('id').where('id', '=', lockedRoot).forUpdate().execute();
      await lockPersons(tx, [lockedRoot]);
    }
    const m = await tx
      .selectFrom('customer_merges')
      .selectAll()
      .where('id', '=', mergeId)
      .forUpdate()
      .executeTakeFirst();
    if (!m) throw notFound('merge', 'merge_id');
    const root = await rootOf(tx, customerId);
    const rootOfInto = await rootOf(tx, m.into_id);
    if (!root || root !== rootOfInto)
      throw unprocessable('merge_not_of_customer', 'this merge does not belong to this customer', 'merge_id');
    if (m.undone_at) throw conflict('merge_already_undone', 'this merge was already undone', 'merge_id');
    const from = await tx
      .selectFrom('customers')
      .select(['id', 'merged_into'])
      .where('id', '=', m.from_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (from.merged_into !== m.into_id)
      throw conflict('merge_superseded', 'the merged customer has changed since', 'merge_id');
    await tx
      .updateTable('customers')
      .set({ merged_into: null, updated_at: new Date() })
      .where('id', '=', from.id)
      .execute();
    await sql`
      WITH RECURSIVE sub AS (
        SELECT id FROM customers WHERE id = ${from.id}
        UNION SELECT c.id FROM customers c JOIN sub ON c.merged_into = sub.id)
      UPDATE customers SET root_id = CASE WHEN id = ${from.id} THEN NULL ELSE ${from.id} END WHERE id IN (SELECT id FROM sub)`.execute(
      tx,
    );
    const survivor = (await tx
      .selectFrom('customers')
      .select(['id', 'created_at', 'kind', 'data_key', 'pii', 'traits', 'trait_seen'])
      .where('id', '=', rootOfInto)
      .forUpdate()
      .executeTakeFirstOrThrow()) as Root;
    const into = await tx
      .selectFrom('customers')
      .select(['data_key'])
      .where('id', '=', m.into_id)
      .executeTakeFirstOrThrow();
    if (m.changes && into.data_key) {
      const { overwritten, took } = JSON.parse(open(dataKeyOf(keys, into), m.changes).toString('utf8')) as {
        overwritten: TraitState;
        took: TraitState;
      };
      await writeTraits(tx, keys, survivor, restore(traitState(keys, survivor), overwritten, took));
    }
    await tx.updateTable('customer_merges').set({ undone_at: new Date() }).where('id', '=', m.id).execute();
    await publish(tx, {
      aggregateType: 'customer',
      aggregateId: survivor.id,
      type: 'customer.unmerged',
      payload: { merge_id: m.id, restored: from.id, survivor: survivor.id },
    });
    await audit(tx, actor, {
      action: 'customer.unmerge',
      subject: survivor.id,
      details: { merge_id: m.id, restored: from.id },
    });
    return { merge_id: m.id, restored: from.id, survivor: survivor.id };
  });
}

/** The live customer an id resolves to (itself, or its survivor); null when unknown or erased. */
export async function rootOf(db: Database['db'] | Tx, id: string): Promise<string | null> {
  const r = await db
    .selectFrom('customers')
    .select(['id', 'root_id', 'erased_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r || r.erased_at) return null;
  return r.root_id ?? r.id;
}

/** rootOf for several ids in one query, in their order. */
export async function rootsOf(db: Database['db'] | Tx, ids: readonly string[]): Promise<(string | null)[]> {
  const r = await sql<{ id: string; root: string }>`
    SELECT id, coalesce(root_id, id) AS root FROM customers WHERE id = ANY(${[...ids]}::text[]) AND erased_at IS NULL`.execute(
    db,
  );
  const root = new Map(r.rows.map((x) => [x.id, x.root]));
  return ids.map((id) => root.get(id) ?? null);
}

/** Every customer id of a group (the root and all merged into it), for reads that span the person. */
export async function groupIds(db: Database['db'] | Tx, root: string): Promise<string[]> {
  return (
    await sql<{ id: string }>`SELECT id FROM customers WHERE coalesce(root_id, id) = ${root}`.execute(db)
  ).rows.map((r) => r.id);
}
