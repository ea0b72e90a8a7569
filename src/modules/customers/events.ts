import './tables';
import { sql, type RawBuilder } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import { seal, type KeyRing } from '../../platform/crypto/keys';
import { searchRows } from './search-keys';
import type { Database } from '../../platform/db/database';
import { StatementParams } from '../../platform/db/statement';
import { isRetryable } from '../../platform/db/transaction';
import { AppError } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { routingLocations } from '../locations/public';
import { mask, STRONG_TYPES, type IdentifierType } from './identifiers';
import { batchIndex, prepare, Reject, type Prepared } from './event-validation';
import { identify, lockIdentifiersStatement } from './identity';
import { BEGIN_GENERIC, inlinable, lit, withSession, type Session } from './session';
import { isTrustedIdentityCaller } from './trusted-caller';

export { KNOWN_EVENT_TYPES, MAX_BATCH } from './event-validation';

/** An identifier's last_seen is refreshed by events at most this often (a write per event is too much). */
const LAST_SEEN_DEBOUNCE_MS = 3600 * 1000;

export interface Rejection {
  index: number;
  code: string;
  message: string;
  field?: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

type RejectFn = (p: { index: number }, code: string, message: string, field?: string) => void;

interface Ident {
  type: string;
  value: string;
  hash: string;
}

/**
 * The distinct identifier sets of a batch and how each resolves:
 * - known: every identifier is held already, all by one person: nothing to write;
 * - new: none is held: a new customer with them (identify would create exactly that);
 * - attach: some are held, all by one person, and identify would add the rest to that person (the
 *   request has a strong identifier of that person, or no strong identifier at all);
 * - identify: anything else (several candidates, merges, weak-only links) goes through identify().
 * A set that shares an identifier with another set needing a write goes through identify() too, so
 * what one creates the other sees.
 */
interface IdentSet {
  idents: Ident[];
  events: Prepared[];
  mode: 'known' | 'new' | 'attach' | 'identify';
  /** known: the customer the events go to; attach: the group's root. */
  target?: string;
  fresh?: Ident[];
}

interface IdentMatch {
  type: string;
  value_hash: string;
  customer_id: string;
  root: string;
  last_seen: Date;
}

class IdentifierConflict extends Error {
  constructor(readonly sets: IdentSet[]) {
    super('identifier taken meanwhile');
  }
}

/**
 * Ingests a batch of behaviour events. Each event is validated on its own (a bad one is rejected
 * with its index, the rest go in); event_id deduplicates retries and repeats within the batch.
 * Subjects are resolved in bulk: customer ids in one query; identifier sets with one lookup, the
 * sets that need a new customer or a new identifier on a known one written in bulk, only linking
 * sets (merges, ambiguous weak identifiers) through identify(), once per distinct set; anonymous ids
 * with one lookup plus one insert of the missing anonymous profiles. Events stay under the customer
 * id they resolved to (not copied to a survivor), so reads span the group and an unmerge takes them
 * back. The new profiles, identifiers and events of a batch are written in one transaction.
 */
export async function ingestEvents(
  database: Database,
  keys: KeyRing,
  raw: unknown[],
  principal: Principal | null,
): Promise<IngestResult> {
  const now = Date.now();
  const rejected: Rejection[] = [];
  const reject: RejectFn = (p, code, message, field) =>
    rejected.push({ index: p.index, code, message, ...(field ? { field } : {}) });
  let ok: Prepared[] = [];
  const blindIndex = batchIndex(keys);
  raw.forEach((r, index) => {
    try {
      ok.push(prepare(keys, r, index, principal, now, blindIndex));
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      reject({ index }, e.code, e.message, e.field);
    }
  });

  // The same event_id twice in one batch: the first valid one counts, later ones are duplicates.
  let duplicates = 0;
  const seenIds = new Set<string>();
  ok = ok.filter((p) => {
    if (seenIds.has(p.event_id)) {
      duplicates++;
      return false;
    }
    seenIds.add(p.event_id);
    return true;
  });

  // Locations must exist (a short-lived per-process cache of the few locations).
  if (ok.some((p) => p.location_id !== null)) {
    const known = new Set((await routingLocations(database.db)).map((l) => l.id));
    ok = ok.filter((p) => {
      if (p.location_id === null || known.has(p.location_id)) return true;
      reject(p, 'unknown_location', `location ${p.location_id} does not exist`, `events[${p.index}].location_id`);
      return false;
    });
  }

  // The three lookups are independent (on PGlite they simply queue on its one connection).
  const [withCustomers, sets, anonHolders] = await Promise.all([
    resolveCustomerIds(database, ok, reject),
    planIdentifierSets(database, ok, principal === null || isTrustedIdentityCaller(principal)),
    anonymousHolders(database, ok),
  ]);
  ok = withCustomers;
  const dropped = new Set<Prepared>();
  let toIdentify = sets.filter((s) => s.mode === 'identify');
  let accepted = 0;
  for (let attempt = 0; ; attempt++) {
    for (const s of toIdentify) await identifySet(database, keys, s, principal, reject, dropped);
    toIdentify = [];
    const writable = ok.filter((p) => !dropped.has(p));
    if (writable.length === 0) break;
    const erased: Prepared[] = [];
    try {
      accepted = await withSession(database, (s) => writeBatch(s, keys, writable, sets, anonHolders, erased));
      for (const p of erased)
        reject(p, 'customer_erased', 'the profile of this anonymous_id was erased', `events[${p.index}].anonymous_id`);
      duplicates += writable.length - erased.length - accepted;
      break;
    } catch (e) {
      if (e instanceof IdentifierConflict && attempt < 5) {
        for (const s of e.sets) s.mode = 'identify';
        toIdentify = e.sets;
        continue;
      }
      if (!isRetryable(e) || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
  }
  rejected.sort((a, b) => a.index - b.index);
  return { accepted, duplicates, rejected };
}

/** customer_id: one query; a merged-away id is accepted (its survivor's group reads it). */
async function resolveCustomerIds(database: Database, events: Prepared[], reject: RejectFn): Promise<Prepared[]> {
  const wanted = [...new Set(events.flatMap((p) => (p.subject.kind === 'customer' ? [p.subject.id] : [])))];
  if (wanted.length === 0) return events;
  const rows = await sql<{ id: string; erased: boolean }>`
    SELECT c.id, (c.erased_at IS NOT NULL OR r.erased_at IS NOT NULL) AS erased
    FROM customers c LEFT JOIN customers r ON r.id = c.root_id
    WHERE c.id = ANY(${wanted}::text[])`.execute(database.db);
  const live = new Set(rows.rows.filter((r) => !r.erased).map((r) => r.id));
  return events.filter((p) => {
    if (p.subject.kind !== 'customer') return true;
    if (live.has(p.subject.id)) {
      p.customer_id = p.subject.id;
      return true;
    }
    reject(p, 'unknown_customer', `customer ${p.subject.id} does not exist`, `events[${p.index}].customer_id`);
    return false;
  });
}

/**
 * One lookup of every identifier of the batch, then each distinct set is classified (see IdentSet).
 * A caller that is not trusted may not attach a new strong identifier to a person: identify() decides.
 */
async function planIdentifierSets(database: Database, events: Prepared[], trusted: boolean): Promise<IdentSet[]> {
  const byKey = new Map<string, IdentSet>();
  for (const p of events) {
    if (p.subject.kind !== 'identifiers') continue;
    const s = byKey.get(p.subject.key);
    if (s) s.events.push(p);
    else byKey.set(p.subject.key, { idents: p.subject.idents, events: [p], mode: 'identify' });
  }
  const sets = [...byKey.values()];
  if (sets.length === 0) return sets;
  const pairs = new Map<string, Ident>();
  for (const s of sets) for (const i of s.idents) pairs.set(`${i.type}:${i.hash}`, i);
  const params = new StatementParams();
  const rows = await params.runPrepared<IdentMatch>(
    database,
    `SELECT ci.type, ci.value_hash, ci.customer_id, coalesce(c.root_id, c.id) AS root, ci.last_seen
    FROM unnest(${params.param([...pairs.values()].map((x) => x.type))}::text[], ${params.param([...pairs.values()].map((x) => x.hash))}::text[]) AS k(type, hash)
    CROSS JOIN LATERAL (${PROBE('k.type', 'k.hash')}) ci JOIN customers c ON c.id = ci.customer_id
    WHERE c.erased_at IS NULL`,
  );
  const matchesOf = new Map<string, IdentMatch[]>();
  for (const r of rows) {
    const k = `${r.type}:${r.value_hash}`;
    const list = matchesOf.get(k);
    if (list) list.push(r);
    else matchesOf.set(k, [r]);
  }

  const stale: IdentMatch[] = [];
  const staleBefore = Date.now() - LAST_SEEN_DEBOUNCE_MS;
  for (const s of sets) {
    const found = s.idents.map((i) => matchesOf.get(`${i.type}:${i.hash}`) ?? []);
    const all = found.flat();
    const roots = new Set(all.map((m) => m.root));
    if (all.length === 0) {
      s.mode = 'new';
      s.fresh = s.idents;
    } else if (roots.size === 1 && found.every((f) => f.length > 0)) {
      const holders = new Set(all.map((m) => m.customer_id));
      s.mode = 'known';
      s.target = holders.size === 1 ? all[0].customer_id : all[0].root;
      for (const m of all) if (new Date(m.last_seen).getTime() < staleBefore) stale.push(m);
    } else if (
      roots.size === 1 &&
      (all.some((m) => STRONG_TYPES.has(m.type as IdentifierType)) ||
        !s.idents.some((i) => STRONG_TYPES.has(i.type as IdentifierType)))
    ) {
      s.mode = 'attach';
      s.target = all[0].root;
      s.fresh = s.idents.filter((_, k) => found[k].length === 0);
      if (!trusted && s.fresh.some((i) => STRONG_TYPES.has(i.type as IdentifierType))) s.mode = 'identify';
    } else s.mode = 'identify';
  }
  // A new identifier that another set of the batch also brings (to write it, or to identify()) would
  // be written twice: those sets go through identify() one after the other instead.
  for (let changed = true; changed;) {
    changed = false;
    const uses = new Map<string, number>();
    for (const s of sets)
      if (s.mode !== 'known')
        for (const i of s.idents) uses.set(`${i.type}:${i.hash}`, (uses.get(`${i.type}:${i.hash}`) ?? 0) + 1);
    for (const s of sets) {
      if ((s.mode === 'new' || s.mode === 'attach') && s.fresh!.some((i) => uses.get(`${i.type}:${i.hash}`)! > 1)) {
        s.mode = 'identify';
        changed = true;
      }
    }
  }
  for (const s of sets) if (s.mode === 'known') for (const p of s.events) p.customer_id = s.target;

  if (stale.length > 0) {
    stale.sort((a, b) => (a.type + a.value_hash + a.customer_id < b.type + b.value_hash + b.customer_id ? -1 : 1));
    await sql`
      UPDATE customer_identifiers SET last_seen = greatest(last_seen, now())
      WHERE (type, value_hash, customer_id) IN (SELECT * FROM unnest(${stale.map((m) => m.type)}::text[], ${stale.map((m) => m.value_hash)}::text[], ${stale.map((m) => m.customer_id)}::text[]))`.execute(
      database.db,
    );
  }
  return sets;
}

async function identifySet(
  database: Database,
  keys: KeyRing,
  s: IdentSet,
  principal: Principal | null,
  reject: RejectFn,
  dropped: Set<Prepared>,
): Promise<void> {
  try {
    const r = await identify(
      database,
      keys,
      { identifiers: s.idents.map((i) => ({ type: i.type, value: i.value })), channel: s.events[0].channel },
      principal,
    );
    s.target = r.customer_id;
    for (const p of s.events) p.customer_id = r.customer_id;
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    for (const p of s.events) {
      reject(p, e.code, e.message, `events[${p.index}].identifiers`);
      dropped.add(p);
    }
  }
}

interface NewProfile {
  id: string;
  channel: string;
  kind: 'known' | 'anonymous';
  wrapped: Buffer;
}

const byText =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * The batch's transaction, in three round trips:
 * 1. one script: BEGIN, the advisory locks on the new identifiers and anonymous ids about to be
 *    written (the same `type:hash` keys as identify(), so it and other batches serialise with this
 *    one), the check that no new identifier was written meanwhile (weak identifiers have no unique
 *    index to stop a second writer), the data keys of the customers being extended, and the
 *    profiles a concurrent batch gave the new anonymous ids meanwhile;
 * 2. one statement that writes everything: the new customers (of 'new' sets and of anonymous ids
 *    without a profile, ids chosen up front), the events (INSERT ... ON CONFLICT (event_id) DO
 *    NOTHING), then the new identifiers, the `customer.created` outbox rows and the kind of extended
 *    customers that became known;
 * 3. COMMIT.
 * A batch that writes only events (all its subjects known) sends that one statement, no transaction.
 * If a strong identifier was taken meanwhile the whole batch rolls back and that set goes through
 * identify(). Returns how many events were new.
 */
async function writeBatch(
  s: Session,
  keys: KeyRing,
  events: Prepared[],
  sets: IdentSet[],
  known: AnonHolders,
  erased: Prepared[],
): Promise<number> {
  const at = new Date();
  const created: NewProfile[] = [];
  const identRows: {
    customer_id: string;
    type: string;
    hash: string;
    enc: Buffer;
    /** The plain value, for the search keys of a phone. */
    value?: string;
    masked: string;
    strong: boolean;
    set: IdentSet | null;
  }[] = [];

  const writing = sets.filter((s) => s.mode === 'new' || s.mode === 'attach');
  const fresh = writing.flatMap((s) => s.fresh!);
  const attachRoots = [...new Set(writing.filter((s) => s.mode === 'attach').map((s) => s.target!))];
  const rootsInline = inlinable(attachRoots);
  // Anonymous ids that had no profile at the lookup: locked like new identifiers and looked up again
  // under the lock, so of concurrent batches bringing the same new visitor only the first creates it.
  const newAnon = [
    ...new Set(
      events.flatMap((p) => (p.subject.kind === 'anonymous' && !known.has(p.subject.hash) ? [p.subject.hash] : [])),
    ),
  ];
  const script = [...BEGIN_GENERIC];
  const locks = [...fresh.map((i) => `${i.type}:${i.hash}`), ...newAnon.map((h) => `anonymous_id:${h}`)];
  const began = locks.length > 0;
  const read = (statement: string) => script.push(statement) - 1;
  let takenAt = -1;
  let rootsAt = -1;
  let holdersAt = -1;
  if (began) {
    script.push(lockIdentifiersStatement(locks));
    if (fresh.length > 0)
      takenAt = read(
        `SELECT type, value_hash FROM customer_identifiers WHERE (type, value_hash) IN (${fresh.map((i) => `(${lit(i.type)}, ${lit(i.hash)})`).join(', ')})`,
      );
    if (attachRoots.length > 0 && rootsInline)
      rootsAt = read(
        `SELECT id, data_key, kind FROM customers WHERE id IN (${attachRoots.map(lit).join(', ')}) AND erased_at IS NULL`,
      );
    if (newAnon.length > 0) holdersAt = read(holdersStatement(`ARRAY[${newAnon.map(lit).join(', ')}]::text[]`));
  }
  const results = began ? await s.script(script) : [];
  const taken = results[takenAt] ?? [];
  const inlineRoots = results[rootsAt] ?? [];
  const holders = holdersAt < 0 ? known : new Map([...known, ...holdersMap(results[holdersAt])]);

  const notYetKnown: string[] = [];
  if (writing.length > 0) {
    if (taken.length > 0) {
      const takenKeys = new Set(taken.map((r) => `${r.type as string}:${r.value_hash as string}`));
      throw new IdentifierConflict(writing.filter((s) => s.fresh!.some((i) => takenKeys.has(`${i.type}:${i.hash}`))));
    }
    const deks = new Map<string, Buffer>();
    if (attachRoots.length > 0) {
      const rows = (
        rootsInline
          ? inlineRoots
          : await s.query(
              sql`SELECT id, data_key, kind FROM customers WHERE id = ANY(${attachRoots}::text[]) AND erased_at IS NULL`,
            )
      ) as { id: string; data_key: Buffer | null; kind: string }[];
      for (const r of rows) {
        if (r.data_key) deks.set(r.id, keys.unwrap(r.data_key));
        if (r.kind !== 'known') notYetKnown.push(r.id);
      }
      const gone = writing.filter((s) => s.mode === 'attach' && !deks.has(s.target!));
      if (gone.length > 0) throw new IdentifierConflict(gone); // erased meanwhile: identify() decides
    }
    for (const s of writing) {
      if (s.mode === 'new') {
        const dek = keys.newDataKey();
        const id = newId('cus', at.getTime());
        created.push({ id, channel: s.events[0].channel, kind: 'known', wrapped: dek.wrapped });
        deks.set(id, dek.plain);
        s.target = id;
      }
      const dek = deks.get(s.target!)!;
      for (const i of s.fresh!)
        identRows.push({
          customer_id: s.target!,
          type: i.type,
          hash: i.hash,
          enc: seal(dek, i.value),
          value: i.value,
          masked: mask(i.type as IdentifierType, i.value),
          strong: STRONG_TYPES.has(i.type as IdentifierType),
          set: s,
        });
    }
  }

  // Anonymous ids without a profile get one.
  const anonNew = new Map<string, string>(); // hash → new profile id
  for (const p of events) {
    if (p.subject.kind !== 'anonymous' || holders.has(p.subject.hash) || anonNew.has(p.subject.hash)) continue;
    const dek = keys.newDataKey();
    const id = newId('cus', at.getTime());
    const { hash, value } = p.subject;
    created.push({ id, channel: p.channel, kind: 'anonymous', wrapped: dek.wrapped });
    anonNew.set(hash, id);
    identRows.push({
      customer_id: id,
      type: 'anonymous_id',
      hash,
      enc: seal(dek.plain, value),
      masked: value.slice(0, 4) + '****',
      strong: false,
      set: null,
    });
  }

  const target = new Map<Prepared, string>();
  for (const s of writing) for (const p of s.events) target.set(p, s.target!);
  const rows: (Prepared & { customer: string })[] = [];
  for (const p of events) {
    let customer = p.customer_id ?? target.get(p);
    if (p.subject.kind === 'anonymous') {
      const h = holders.get(p.subject.hash);
      if (h?.erased) {
        erased.push(p);
        continue;
      }
      customer = h ? h.customer_id : anonNew.get(p.subject.hash);
    }
    if (customer !== undefined) rows.push({ ...p, customer });
  }

  // The one writing statement. Its parts run once each on disjoint rows; the identifiers' foreign
  // key to the new customers is checked at its end. The scalar subqueries of the final SELECT run in
  // order, so the events go in before the identifiers.
  const parts: RawBuilder<unknown>[] = [];
  const cte = (name: string, body: RawBuilder<unknown>) => parts.push(sql`${sql.raw(name)} AS (${body})`);
  if (created.length > 0) {
    cte(
      'cre',
      sql`
      INSERT INTO customers (id, created_at, first_channel, data_key, traits, trait_seen, kind)
      SELECT id, ${at}, ch, dk, '{}', '{}', k FROM unnest(${created.map((c) => c.id)}::text[], ${created.map((c) => c.channel)}::text[], ${created.map((c) => c.wrapped)}::bytea[], ${created.map((c) => c.kind)}::text[]) AS t(id, ch, dk, k)`,
    );
    cte(
      'obx',
      sql`
      INSERT INTO outbox (aggregate_type, aggregate_id, type, payload)
      SELECT 'customer', id, 'customer.created', p::jsonb FROM unnest(${created.map((c) => c.id)}::text[], ${created.map((c) => JSON.stringify({ customer_id: c.id, channel: c.channel }))}::text[]) AS t(id, p)`,
    );
  }
  if (notYetKnown.length > 0)
    cte('knw', sql`UPDATE customers SET kind = 'known' WHERE id = ANY(${notYetKnown}::text[])`);
  if (rows.length > 0) {
    rows.sort(byText((p) => p.event_id)); // one lock order for concurrent batches
    // One JSON parameter (properties are JSON text already): cheaper to build and to parse than eight arrays.
    const q = JSON.stringify;
    const json =
      '[' +
      rows
        .map(
          (p) =>
            `{"e":${q(p.event_id)},"t":${q(p.type)},"o":"${p.occurred_at}","c":"${p.channel}","u":${q(p.customer)},"a":${p.anonymous_id === null ? 'null' : q(p.anonymous_id)},"l":${p.location_id === null ? 'null' : q(p.location_id)},"p":${p.properties}}`,
        )
        .join(',') +
      ']';
    cte(
      'ins',
      sql`
      INSERT INTO customer_events (event_id, type, occurred_at, channel, customer_id, anonymous_id, location_id, properties)
      SELECT e, t, o, c, u, a, l, p FROM json_to_recordset(${json}::json) AS x(e text, t text, o timestamptz, c text, u text, a text, l text, p jsonb)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING 1`,
    );
  }
  if (identRows.length > 0) {
    identRows.sort(byText((r) => `${r.type}:${r.hash}:${r.customer_id}`)); // one lock order for concurrent batches
    cte(
      'idn',
      sql`
      INSERT INTO customer_identifiers (customer_id, type, value_hash, value_enc, masked, strong, first_seen, last_seen)
      SELECT c, t, h, e, m, s, ${at}, ${at} FROM unnest(
        ${identRows.map((r) => r.customer_id)}::text[], ${identRows.map((r) => r.type)}::text[], ${identRows.map((r) => r.hash)}::text[],
        ${identRows.map((r) => r.enc)}::bytea[], ${identRows.map((r) => r.masked)}::text[], ${identRows.map((r) => r.strong)}::boolean[]) AS x(c, t, h, e, m, s)
      ON CONFLICT DO NOTHING
      RETURNING type, value_hash, customer_id`,
    );
  }
  // The phone tails of new phones (search-keys.ts), in the same statement as the identifiers.
  const tails = identRows.flatMap((r) =>
    r.type === 'phone' && r.value ? searchRows(keys, r.customer_id, [r.value], null) : [],
  );
  if (tails.length > 0)
    cte(
      'tails',
      sql`INSERT INTO customer_search_keys (kind, hash, customer_id) VALUES ${sql.join(tails.map((t) => sql`(${sql.join(t)})`))} ON CONFLICT DO NOTHING`,
    );
  let accepted = 0;
  // Events alone need no transaction: their one INSERT is atomic. New profiles come with locks.
  if (parts.length > 0) {
    const [result] = await s.query<{
      n: string;
      won: { type: string; value_hash: string; customer_id: string }[] | null;
    }>(sql`
      WITH ${sql.join(parts)}
      SELECT ${sql.raw(rows.length > 0 ? '(SELECT count(*) FROM ins)::text' : "'0'")} AS n,
        ${sql.raw(identRows.length > 0 ? '(SELECT json_agg(idn) FROM idn)' : 'NULL::json')} AS won`);
    accepted = Number(result.n);
    if (identRows.length > 0) {
      const got = new Set((result.won ?? []).map((w) => `${w.type}:${w.value_hash}:${w.customer_id}`));
      const missing = identRows.filter((r) => !got.has(`${r.type}:${r.hash}:${r.customer_id}`));
      // Only a writer that skipped the locks could have taken one: roll back and try again (the
      // sets through identify(), the anonymous ids looked up again under the lock).
      if (missing.length > 0)
        throw new IdentifierConflict([...new Set(missing.flatMap((r) => (r.set ? [r.set] : [])))]);
    }
  }
  if (began) await s.script(['COMMIT']);
  return accepted;
}

type AnonHolders = Map<string, { customer_id: string; erased: boolean }>;

/**
 * The identifiers of one type and hash: one index probe per pair. OFFSET 0 keeps the planner from
 * joining a batch's few hundred pairs to the whole table by a hash join, which it prefers while the
 * table is small (a scan of 20,000 identifiers per batch).
 */
const PROBE = (type: string, hash: string) =>
  `SELECT ci.customer_id, ci.type, ci.value_hash, ci.last_seen FROM customer_identifiers ci WHERE ci.type = ${type} AND ci.value_hash = ${hash} OFFSET 0`;

/** The profiles holding the anonymous ids of an array expression (a parameter or literals). */
const holdersStatement = (hashes: string) => `SELECT ci.value_hash, ci.customer_id, c.erased_at IS NOT NULL AS erased
  FROM unnest(${hashes}) AS k(hash) CROSS JOIN LATERAL (${PROBE("'anonymous_id'", 'k.hash')}) ci JOIN customers c ON c.id = ci.customer_id`;

function holdersMap(rows: unknown[]): AnonHolders {
  const out: AnonHolders = new Map();
  for (const r of rows as { value_hash: string; customer_id: string; erased: boolean }[])
    out.set(r.value_hash, { customer_id: r.customer_id, erased: r.erased });
  return out;
}

async function anonymousHolders(database: Database, events: Prepared[]): Promise<AnonHolders> {
  const hashes = [...new Set(events.flatMap((p) => (p.subject.kind === 'anonymous' ? [p.subject.hash] : [])))];
  if (hashes.length === 0) return new Map();
  const params = new StatementParams();
  return holdersMap(await params.runPrepared(database, holdersStatement(`${params.param(hashes)}::text[]`)));
}
