import './tables';
import { sql } from 'kysely';
import { CHANNELS, type Principal } from '../../platform/auth/roles';
import { seal, type KeyRing } from '../../platform/crypto/keys';
import type { Database, Queryable, Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { routingLocations } from '../locations/cache';
import { mask, STRONG_TYPES, type IdentifierType } from './identifiers';
import { identify, lockIdentifiers, prepareIdentifiers } from './identity';

/** The most events one POST /v1/events may carry. */
export const MAX_BATCH = 1000;
/** Custom event types: lower-case, dotted or underscored. */
export const EVENT_TYPE = /^[a-z][a-z0-9_.]{0,63}$/;
/** Types other modules publish themselves; clients may not send them. */
export const RESERVED_TYPES: ReadonlySet<string> = new Set(['order_completed']);
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;
const ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const OCCURRED_AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_PROPERTIES_BYTES = 16 * 1024;
const FUTURE_SKEW_MS = 24 * 3600 * 1000;
const EARLIEST = Date.UTC(2000, 0, 1);
/** An identifier's last_seen is refreshed by events at most this often (a write per event is too much). */
const LAST_SEEN_DEBOUNCE_MS = 3600 * 1000;
const EVENT_FIELDS = new Set(['event_id', 'type', 'occurred_at', 'channel', 'customer_id', 'identifiers', 'anonymous_id', 'location_id', 'properties']);

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

type Subject =
  | { kind: 'customer'; id: string }
  | { kind: 'identifiers'; key: string; idents: { type: string; value: string; hash: string }[] }
  | { kind: 'anonymous'; value: string; hash: string };

interface Prepared {
  index: number;
  event_id: string;
  type: string;
  occurred_at: string;
  channel: string;
  location_id: string | null;
  properties: string;
  subject: Subject;
  anonymous_id: string | null;
  /** Set once the subject is resolved. */
  customer_id?: string;
}

class Reject extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

// An unpaired UTF-16 surrogate: JSON can carry it, PostgreSQL's json cannot.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
// JSON.stringify writes an unpaired surrogate as a \udXXX escape (after an even run of backslashes).
const ESCAPED_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= max;

/** The properties each known type must carry; anything else about them is free. */
const KNOWN_TYPES: Record<string, (p: Record<string, unknown>, f: string) => void> = {
  product_viewed(p, f) {
    if (!nonEmpty(p.sku, 100)) throw new Reject('invalid_properties', 'product_viewed needs properties.sku (1 to 100 characters)', `${f}.sku`);
  },
  added_to_cart(p, f) {
    if (!nonEmpty(p.sku, 100)) throw new Reject('invalid_properties', 'added_to_cart needs properties.sku (1 to 100 characters)', `${f}.sku`);
    if (typeof p.qty !== 'number' || !Number.isInteger(p.qty) || p.qty < 1 || p.qty > 100000) throw new Reject('invalid_properties', 'added_to_cart needs properties.qty, an integer of at least 1', `${f}.qty`);
  },
  search(p, f) {
    if (!nonEmpty(p.query, 500)) throw new Reject('invalid_properties', 'search needs properties.query (1 to 500 characters)', `${f}.query`);
  },
  store_visit(p, f) {
    if (!nonEmpty(p.location_id, 100) || !ID.test(p.location_id)) throw new Reject('invalid_properties', 'store_visit needs properties.location_id, a location id', `${f}.location_id`);
  },
  page_view(p, f) {
    if (!nonEmpty(p.path, 2000)) throw new Reject('invalid_properties', 'page_view needs properties.path (1 to 2000 characters)', `${f}.path`);
  },
  coupon_claimed(p, f) {
    if (!nonEmpty(p.template_id, 100) && !nonEmpty(p.code, 100)) throw new Reject('invalid_properties', 'coupon_claimed needs properties.template_id or properties.code', `${f}.template_id`);
  },
};
export const KNOWN_EVENT_TYPES = Object.keys(KNOWN_TYPES);

/** ISO-8601 with a zone, a real calendar date; normalised to UTC keeping sub-millisecond digits. */
function parseOccurredAt(v: unknown, f: string, now: number): string {
  if (typeof v === 'string' && v.length === 24 && v[23] === 'Z') {
    // the common case, Date#toISOString() of the client: valid when it comes back the same
    const ms = Date.parse(v);
    if (Number.isFinite(ms) && ms >= EARLIEST && ms <= now + FUTURE_SKEW_MS && new Date(ms).toISOString() === v) return `${v.slice(0, 23)}000Z`;
  }
  const m = typeof v === 'string' ? OCCURRED_AT.exec(v) : null;
  if (!m) throw new Reject('invalid_event', `${f} must be an ISO-8601 date-time with a time zone, e.g. 2025-11-26T08:30:00Z`, f);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const daysIn = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn || h > 23 || mi > 59 || s > 59) throw new Reject('invalid_event', `${f} is not a valid date-time`, f);
  const ms = Date.parse(v as string);
  if (!Number.isFinite(ms) || ms < EARLIEST) throw new Reject('invalid_event', `${f} must be after 2000-01-01`, f);
  if (ms > now + FUTURE_SKEW_MS) throw new Reject('invalid_event', `${f} is more than a day in the future`, f);
  return `${new Date(ms).toISOString().slice(0, 19)}.${(m[7] ?? '').slice(0, 6).padEnd(6, '0')}Z`;
}

function prepare(keys: KeyRing, raw: unknown, index: number, principal: Principal | null, now: number): Prepared {
  const f = `events[${index}]`;
  if (!isObject(raw)) throw new Reject('invalid_event', `${f} must be an object`, f);
  for (const k of Object.keys(raw)) if (!EVENT_FIELDS.has(k)) throw new Reject('invalid_event', `${f}.${k} is not a known field`, `${f}.${k}`);
  const e = raw;
  if (typeof e.event_id !== 'string' || !EVENT_ID.test(e.event_id)) throw new Reject('invalid_event', `${f}.event_id must be 1 to 128 printable ASCII characters without spaces`, `${f}.event_id`);
  if (typeof e.type !== 'string') throw new Reject('invalid_type', `${f}.type is required`, `${f}.type`);
  if (RESERVED_TYPES.has(e.type)) throw new Reject('reserved_type', `${e.type} is published by the order module itself; send the order to POST /v1/orders`, `${f}.type`);
  if (!EVENT_TYPE.test(e.type)) throw new Reject('invalid_type', `${f}.type must match [a-z][a-z0-9_.]{0,63}`, `${f}.type`);
  const occurred_at = parseOccurredAt(e.occurred_at, `${f}.occurred_at`, now);
  if (typeof e.channel !== 'string' || !(CHANNELS as readonly string[]).includes(e.channel)) throw new Reject('invalid_event', `${f}.channel must be one of ${CHANNELS.join(', ')}`, `${f}.channel`);
  if (principal?.role === 'integration' && principal.channel !== e.channel) throw new Reject('channel_not_allowed', `this key sends events for channel ${principal.channel} only`, `${f}.channel`);

  if (e.properties !== undefined && !isObject(e.properties)) throw new Reject('invalid_properties', `${f}.properties must be an object`, `${f}.properties`);
  const props = (e.properties ?? {}) as Record<string, unknown>;
  const properties = JSON.stringify(props);
  if (ESCAPED_SURROGATE.test(properties)) throw new Reject('invalid_properties', `${f}.properties holds text that is not valid Unicode (an unpaired surrogate)`, `${f}.properties`);
  if (Buffer.byteLength(properties) > MAX_PROPERTIES_BYTES) throw new Reject('invalid_properties', `${f}.properties exceeds ${MAX_PROPERTIES_BYTES} bytes`, `${f}.properties`);
  KNOWN_TYPES[e.type]?.(props, `${f}.properties`);

  let location_id: string | null = null;
  if (e.location_id !== undefined && e.location_id !== null) {
    if (typeof e.location_id !== 'string' || !ID.test(e.location_id)) throw new Reject('invalid_event', `${f}.location_id must be a location id`, `${f}.location_id`);
    location_id = e.location_id;
  }
  if (e.type === 'store_visit') {
    if (location_id !== null && location_id !== props.location_id) throw new Reject('invalid_properties', `${f}.properties.location_id differs from ${f}.location_id`, `${f}.properties.location_id`);
    location_id = props.location_id as string;
  }
  if (principal?.role === 'store_staff') {
    if (location_id === null) location_id = principal.locationId;
    else if (location_id !== principal.locationId) throw new Reject('location_not_allowed', `this key sends events for location ${principal.locationId} only`, `${f}.location_id`);
  }

  const given = (['customer_id', 'identifiers', 'anonymous_id'] as const).filter((k) => e[k] !== undefined && e[k] !== null);
  if (given.length === 0) throw new Reject('subject_required', `${f} needs one of customer_id, identifiers or anonymous_id`, f);
  if (given.length > 1) throw new Reject('subject_ambiguous', `${f} gives ${given.join(' and ')}: give exactly one`, `${f}.${given[1]}`);
  let subject: Subject;
  let anonymous_id: string | null = null;
  if (given[0] === 'customer_id') {
    if (typeof e.customer_id !== 'string' || !ID.test(e.customer_id)) throw new Reject('invalid_event', `${f}.customer_id must be a customer id`, `${f}.customer_id`);
    subject = { kind: 'customer', id: e.customer_id };
  } else if (given[0] === 'identifiers') {
    const list = e.identifiers;
    if (!Array.isArray(list) || list.length === 0 || list.length > 20) throw new Reject('invalid_identifier', `${f}.identifiers must be a list of 1 to 20 identifiers`, `${f}.identifiers`);
    list.forEach((x, i) => {
      if (!isObject(x) || typeof x.type !== 'string' || typeof x.value !== 'string' || x.value.length > 200 || Object.keys(x).length !== 2) {
        throw new Reject('invalid_identifier', `${f}.identifiers[${i}] must be {type, value} with a value of at most 200 characters`, `${f}.identifiers[${i}]`);
      }
    });
    let idents;
    try {
      idents = prepareIdentifiers(keys, { identifiers: list as { type: string; value: string }[] });
    } catch (err) {
      if (err instanceof AppError) throw new Reject(err.code, err.message, `${f}.${err.field ?? 'identifiers'}`);
      throw err;
    }
    const sorted = idents.map((i) => ({ type: i.type, value: i.value, hash: i.hash })).sort((a, b) => (a.type + a.hash < b.type + b.hash ? -1 : 1));
    subject = { kind: 'identifiers', key: sorted.map((i) => `${i.type}:${i.hash}`).join(','), idents: sorted };
  } else {
    const v = typeof e.anonymous_id === 'string' ? e.anonymous_id.trim() : '';
    if (v === '' || v.length > 128 || LONE_SURROGATE.test(v)) throw new Reject('invalid_identifier', `${f}.anonymous_id must be 1 to 128 characters of valid Unicode`, `${f}.anonymous_id`);
    subject = { kind: 'anonymous', value: v, hash: keys.blindIndex('anonymous_id', v) };
    anonymous_id = v;
  }
  return { index, event_id: e.event_id, type: e.type, occurred_at, channel: e.channel, location_id, properties, subject, anonymous_id };
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

function retryable(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '40001' || code === '40P01';
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
export async function ingestEvents(database: Database, keys: KeyRing, raw: unknown[], principal: Principal | null): Promise<IngestResult> {
  const now = Date.now();
  const rejected: Rejection[] = [];
  const reject: RejectFn = (p, code, message, field) => rejected.push({ index: p.index, code, message, ...(field ? { field } : {}) });
  let ok: Prepared[] = [];
  raw.forEach((r, index) => {
    try {
      ok.push(prepare(keys, r, index, principal, now));
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
  const [withCustomers, sets, anonHolders] = await Promise.all([resolveCustomerIds(database, ok, reject), planIdentifierSets(database, ok), anonymousHolders(database.db, ok)]);
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
      accepted = await database.db.transaction().execute((tx) => writeBatch(tx, keys, writable, sets, anonHolders, erased));
      for (const p of erased) reject(p, 'customer_erased', 'the profile of this anonymous_id was erased', `events[${p.index}].anonymous_id`);
      duplicates += writable.length - erased.length - accepted;
      break;
    } catch (e) {
      if (e instanceof IdentifierConflict && attempt < 5) {
        for (const s of e.sets) s.mode = 'identify';
        toIdentify = e.sets;
        continue;
      }
      if (!retryable(e) || attempt >= 5) throw e;
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

/** One lookup of every identifier of the batch, then each distinct set is classified (see IdentSet). */
async function planIdentifierSets(database: Database, events: Prepared[]): Promise<IdentSet[]> {
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
  const rows = await sql<IdentMatch>`
    SELECT ci.type, ci.value_hash, ci.customer_id, coalesce(c.root_id, c.id) AS root, ci.last_seen
    FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id
    WHERE (ci.type, ci.value_hash) IN (SELECT * FROM unnest(${[...pairs.values()].map((x) => x.type)}::text[], ${[...pairs.values()].map((x) => x.hash)}::text[]))
      AND c.erased_at IS NULL`.execute(database.db);
  const matchesOf = new Map<string, IdentMatch[]>();
  for (const r of rows.rows) {
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
    } else if (roots.size === 1 && (all.some((m) => STRONG_TYPES.has(m.type as IdentifierType)) || !s.idents.some((i) => STRONG_TYPES.has(i.type as IdentifierType)))) {
      s.mode = 'attach';
      s.target = all[0].root;
      s.fresh = s.idents.filter((_, k) => found[k].length === 0);
    } else s.mode = 'identify';
  }
  // A new identifier that another set of the batch also brings (to write it, or to identify()) would
  // be written twice: those sets go through identify() one after the other instead.
  for (let changed = true; changed; ) {
    changed = false;
    const uses = new Map<string, number>();
    for (const s of sets) if (s.mode !== 'known') for (const i of s.idents) uses.set(`${i.type}:${i.hash}`, (uses.get(`${i.type}:${i.hash}`) ?? 0) + 1);
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
      WHERE (type, value_hash, customer_id) IN (SELECT * FROM unnest(${stale.map((m) => m.type)}::text[], ${stale.map((m) => m.value_hash)}::text[], ${stale.map((m) => m.customer_id)}::text[]))`.execute(database.db);
  }
  return sets;
}

async function identifySet(database: Database, keys: KeyRing, s: IdentSet, principal: Principal | null, reject: RejectFn, dropped: Set<Prepared>): Promise<void> {
  try {
    const r = await identify(database, keys, { identifiers: s.idents.map((i) => ({ type: i.type, value: i.value })), channel: s.events[0].channel }, principal);
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

const byText = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The batch's transaction. New customers (of 'new' sets and of anonymous ids without a profile) get
 * their ids up front, so the events go in first, in one INSERT ... ON CONFLICT (event_id) DO NOTHING;
 * the new identifiers go in last, so a concurrent batch that needs the same one waits only for a
 * commit. If a strong identifier was taken meanwhile the whole batch rolls back and that set goes
 * through identify(); if an anonymous id got its profile from a concurrent batch, the events move to
 * that profile and ours is dropped. Returns how many events were new.
 */
async function writeBatch(tx: Tx, keys: KeyRing, events: Prepared[], sets: IdentSet[], known: AnonHolders, erased: Prepared[]): Promise<number> {
  const at = new Date();
  const created: NewProfile[] = [];
  const identRows: { customer_id: string; type: string; hash: string; enc: Buffer; masked: string; strong: boolean; set: IdentSet | null }[] = [];

  const writing = sets.filter((s) => s.mode === 'new' || s.mode === 'attach');
  const notYetKnown: string[] = [];
  if (writing.length > 0) {
    // Serialise with identify() and other batches on the identifiers about to be written, then make
    // sure none was written meanwhile (weak identifiers have no unique index to stop a second writer).
    const fresh = writing.flatMap((s) => s.fresh!);
    await lockIdentifiers(tx, fresh.map((i) => `${i.type}:${i.hash}`));
    const taken = await sql<{ type: string; value_hash: string }>`
      SELECT type, value_hash FROM customer_identifiers
      WHERE (type, value_hash) IN (SELECT * FROM unnest(${fresh.map((i) => i.type)}::text[], ${fresh.map((i) => i.hash)}::text[]))`.execute(tx);
    if (taken.rows.length > 0) {
      const takenKeys = new Set(taken.rows.map((r) => `${r.type}:${r.value_hash}`));
      throw new IdentifierConflict(writing.filter((s) => s.fresh!.some((i) => takenKeys.has(`${i.type}:${i.hash}`))));
    }
    const attachRoots = [...new Set(writing.filter((s) => s.mode === 'attach').map((s) => s.target!))];
    const deks = new Map<string, Buffer>();
    if (attachRoots.length > 0) {
      const rows = await sql<{ id: string; data_key: Buffer | null; kind: string }>`SELECT id, data_key, kind FROM customers WHERE id = ANY(${attachRoots}::text[]) AND erased_at IS NULL`.execute(tx);
      for (const r of rows.rows) {
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
      for (const i of s.fresh!) identRows.push({ customer_id: s.target!, type: i.type, hash: i.hash, enc: seal(dek, i.value), masked: mask(i.type as IdentifierType, i.value), strong: STRONG_TYPES.has(i.type as IdentifierType), set: s });
    }
  }

  // Anonymous ids without a profile (looked up before the transaction) get one.
  const anonNew = new Map<string, string>(); // hash → new profile id
  for (const p of events) {
    if (p.subject.kind !== 'anonymous' || known.has(p.subject.hash) || anonNew.has(p.subject.hash)) continue;
    const dek = keys.newDataKey();
    const id = newId('cus', at.getTime());
    const { hash, value } = p.subject;
    created.push({ id, channel: p.channel, kind: 'anonymous', wrapped: dek.wrapped });
    anonNew.set(hash, id);
    identRows.push({ customer_id: id, type: 'anonymous_id', hash, enc: seal(dek.plain, value), masked: value.slice(0, 4) + '****', strong: false, set: null });
  }
  if (created.length > 0) {
    await sql`
      INSERT INTO customers (id, created_at, first_channel, data_key, traits, trait_seen, kind)
      SELECT id, ${at}, ch, dk, '{}', '{}', k FROM unnest(${created.map((c) => c.id)}::text[], ${created.map((c) => c.channel)}::text[], ${created.map((c) => c.wrapped)}::bytea[], ${created.map((c) => c.kind)}::text[]) AS t(id, ch, dk, k)`.execute(tx);
  }

  const target = new Map<Prepared, string>();
  for (const s of writing) for (const p of s.events) target.set(p, s.target!);
  const rows: (Prepared & { customer: string })[] = [];
  for (const p of events) {
    let customer = p.customer_id ?? target.get(p);
    if (p.subject.kind === 'anonymous') {
      const h = known.get(p.subject.hash);
      if (h?.erased) {
        erased.push(p);
        continue;
      }
      customer = h ? h.customer_id : anonNew.get(p.subject.hash);
    }
    if (customer !== undefined) rows.push({ ...p, customer });
  }
  let accepted = 0;
  if (rows.length > 0) {
    rows.sort(byText((p) => p.event_id)); // one lock order for concurrent batches
    // One JSON parameter (properties are JSON text already): cheaper to build and to parse than eight arrays.
    const q = JSON.stringify;
    const json = '[' + rows.map((p) => `{"e":${q(p.event_id)},"t":${q(p.type)},"o":"${p.occurred_at}","c":"${p.channel}","u":${q(p.customer)},"a":${p.anonymous_id === null ? 'null' : q(p.anonymous_id)},"l":${p.location_id === null ? 'null' : q(p.location_id)},"p":${p.properties}}`).join(',') + ']';
    const inserted = await sql<{ n: string }>`
      WITH ins AS (
        INSERT INTO customer_events (event_id, type, occurred_at, channel, customer_id, anonymous_id, location_id, properties)
        SELECT e, t, o, c, u, a, l, p FROM json_to_recordset(${json}::json) AS x(e text, t text, o timestamptz, c text, u text, a text, l text, p jsonb)
        ON CONFLICT (event_id) DO NOTHING
        RETURNING 1)
      SELECT count(*)::text AS n FROM ins`.execute(tx);
    accepted = Number(inserted.rows[0].n);
  }

  const lost: string[] = [];
  if (identRows.length > 0) {
    identRows.sort(byText((r) => `${r.type}:${r.hash}:${r.customer_id}`)); // one lock order for concurrent batches
    const won = await sql<{ type: string; value_hash: string; customer_id: string }>`
      INSERT INTO customer_identifiers (customer_id, type, value_hash, value_enc, masked, strong, first_seen, last_seen)
      SELECT c, t, h, e, m, s, ${at}, ${at} FROM unnest(
        ${identRows.map((r) => r.customer_id)}::text[], ${identRows.map((r) => r.type)}::text[], ${identRows.map((r) => r.hash)}::text[],
        ${identRows.map((r) => r.enc)}::bytea[], ${identRows.map((r) => r.masked)}::text[], ${identRows.map((r) => r.strong)}::boolean[]) AS x(c, t, h, e, m, s)
      ON CONFLICT DO NOTHING
      RETURNING type, value_hash, customer_id`.execute(tx);
    const got = new Set(won.rows.map((w) => `${w.type}:${w.value_hash}:${w.customer_id}`));
    const missing = identRows.filter((r) => !got.has(`${r.type}:${r.hash}:${r.customer_id}`));
    const conflicted = [...new Set(missing.flatMap((r) => (r.set ? [r.set] : [])))];
    if (conflicted.length > 0) throw new IdentifierConflict(conflicted);
    for (const r of missing) lost.push(r.customer_id);
  }
  if (lost.length > 0) {
    // A concurrent batch created these anonymous profiles first: their events move there, ours go.
    const lostSet = new Set(lost);
    const holders = await anonymousHolders(tx, events.filter((p) => p.subject.kind === 'anonymous' && lostSet.has(anonNew.get(p.subject.hash) ?? '')));
    const moves: { event_id: string; from: string; to: string }[] = [];
    for (const [hash, id] of anonNew) {
      if (!lostSet.has(id)) continue;
      const h = holders.get(hash);
      if (h && !h.erased) {
        for (const r of rows) if (r.customer === id) moves.push({ event_id: r.event_id, from: id, to: h.customer_id });
      } else {
        for (const p of events) if (p.subject.kind === 'anonymous' && p.subject.hash === hash) erased.push(p);
        const gone = await sql<{ n: string }>`WITH d AS (DELETE FROM customer_events WHERE customer_id = ${id} RETURNING 1) SELECT count(*)::text AS n FROM d`.execute(tx);
        accepted -= Number(gone.rows[0].n);
      }
    }
    if (moves.length > 0) {
      const ids = moves.map((m) => m.event_id);
      await sql`
        UPDATE customer_events e SET customer_id = m.holder
        FROM unnest(${ids}::text[], ${moves.map((m) => m.from)}::text[], ${moves.map((m) => m.to)}::text[]) AS m(event_id, lost, holder)
        WHERE e.event_id = ANY(${ids}::text[]) AND e.event_id = m.event_id AND e.customer_id = m.lost`.execute(tx);
    }
    await tx.deleteFrom('customers').where('id', 'in', lost).execute();
  }
  const lostIds = new Set(lost);
  const fresh = created.filter((c) => !lostIds.has(c.id));
  if (fresh.length > 0) {
    await sql`
      INSERT INTO outbox (aggregate_type, aggregate_id, type, payload)
      SELECT 'customer', id, 'customer.created', p::jsonb FROM unnest(${fresh.map((c) => c.id)}::text[], ${fresh.map((c) => JSON.stringify({ customer_id: c.id, channel: c.channel }))}::text[]) AS t(id, p)`.execute(tx);
  }
  if (notYetKnown.length > 0) await sql`UPDATE customers SET kind = 'known' WHERE id = ANY(${notYetKnown}::text[])`.execute(tx);
  return accepted;
}

type AnonHolders = Map<string, { customer_id: string; erased: boolean }>;

/** The profiles that hold the anonymous ids of these events. */
async function anonymousHolders(db: Queryable, events: Prepared[]): Promise<AnonHolders> {
  const out: AnonHolders = new Map();
  const hashes = [...new Set(events.flatMap((p) => (p.subject.kind === 'anonymous' ? [p.subject.hash] : [])))];
  if (hashes.length === 0) return out;
  const rows = await sql<{ value_hash: string; customer_id: string; erased: boolean }>`
    SELECT ci.value_hash, ci.customer_id, c.erased_at IS NOT NULL AS erased
    FROM customer_identifiers ci JOIN customers c ON c.id = ci.customer_id
    WHERE ci.type = 'anonymous_id' AND ci.value_hash = ANY(${hashes}::text[])`.execute(db);
  for (const r of rows.rows) out.set(r.value_hash, { customer_id: r.customer_id, erased: r.erased });
  return out;
}
