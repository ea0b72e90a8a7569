import './tables';
import { sql, type RawBuilder } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { Database } from '../../platform/db/database';
import { badRequest } from '../../platform/http/errors';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination';
import { orderSummaries } from '../orders/public';
import { productNamesOf } from '../catalog/public';
import { groupIds, rootOf } from './identity';
import { PERSONAL_TRAITS } from './traits';
import { isContactKey, redactContactData } from '../../platform/privacy/contact-data';

type Db = Database['db'];

const BUILTIN_KINDS = ['order', 'event', 'merge', 'consent'] as const;
/** Kinds of timeline item: the built-in ones and those other modules register (registerTimelineSource). */
export const TIMELINE_KINDS: string[] = [...BUILTIN_KINDS];
export type TimelineKind = string;

export interface TimelineItem {
  kind: TimelineKind;
  at: string;
  channel?: string;
  type?: string;
  data: Record<string, unknown>;
}

export interface Timeline {
  customer_id: string;
  items: TimelineItem[];
  next_cursor: string | null;
}

/** Property keys that hold personal data: only admins see them in event properties. */
const PERSONAL_KEYS = new Set(
  [...PERSONAL_TRAITS, 'phone', 'email', 'name', 'address', 'id_number'].map((k) => k.toLowerCase()),
);

/**
 * Event properties as roles without access to contact data see them: keys that hold personal data
 * or name contact data (contact_phone, receiver.mobile, email_address) dropped at any depth, and
 * phone numbers and e-mail addresses in any text (a search query, a page path) hidden.
 */
export function stripPersonal(v: unknown): unknown {
  if (typeof v === 'string') return redactContactData(v, '***');
  if (Array.isArray(v)) return v.map(stripPersonal);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      if (!PERSONAL_KEYS.has(k.toLowerCase()) && !isContactKey(k)) out[k] = stripPersonal(x);
    return out;
  }
  return v;
}

// Sort key of the stream, newest first: (time in µs, kind rank, key within kind), all descending.
const RANK: Record<(typeof BUILTIN_KINDS)[number], number> = { order: 3, event: 2, consent: 1, merge: 0 };

/** What a registered source is given: the person's ids, how many rows to fetch, and the cursor filter. */
export interface TimelineSourceQuery {
  members: string[];
  /** Fetch at most this many rows, newest first. */
  limit: number;
  /** SQL condition: the row (its time column, its key expression) comes after the cursor in the stream. */
  after(at: RawBuilder<unknown>, key: RawBuilder<unknown>): RawBuilder<unknown>;
  /** The µs epoch of a timestamptz column as text (the stream's time key). */
  us(col: RawBuilder<unknown>): RawBuilder<string>;
  /** Admins see personal data; others must not. */
  full: boolean;
}

/** One row of a source: its µs time, its key within the kind (unique, compared as "C" strings) and the item. */
export interface TimelineSourceRow {
  us: number;
  key: string;
  item: Omit<TimelineItem, 'kind'>;
}

/**
 * A kind of item another module contributes to the timeline (e.g. coupons). The rank breaks ties
 * of equal time between kinds and must be unique; the built-in kinds use 0..3.
 */
export interface TimelineSource {
  kind: string;
  rank: number;
  fetch(db: Db, q: TimelineSourceQuery): Promise<TimelineSourceRow[]>;
}

const SOURCES = new Map<string, TimelineSource>();

/** Adds a source of timeline items; registering the same kind again replaces it. */
export function registerTimelineSource(source: TimelineSource): void {
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(source.kind))
    throw new Error(`timeline kind ${source.kind}: lower case letters, digits, _`);
  const builtin = (BUILTIN_KINDS as readonly string[]).includes(source.kind);
  const clash =
    builtin ||
    Object.values(RANK).includes(source.rank) ||
    [...SOURCES.values()].some((s) => s.kind !== source.kind && s.rank === source.rank);
  if (clash) throw new Error(`timeline source ${source.kind}: kind or rank ${source.rank} already taken`);
  SOURCES.set(source.kind, source);
  if (!TIMELINE_KINDS.includes(source.kind)) TIMELINE_KINDS.push(source.kind);
}

interface Keyed {
  us: number;
  rank: number;
  key: string;
  item: TimelineItem;
}

interface After {
  us: number;
  rank: number;
  key: string;
  ts: string;
}

/** The µs epoch as an exact timestamptz literal (JS dates stop at milliseconds). */
function tsOf(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(us - Math.floor(ms / 1000) * 1_000_000).padStart(6, '0')}Z`;
}

/** Rows of a source strictly after the cursor in the stream's order. */
function afterCursor(
  after: After | null,
  rank: number,
  at: RawBuilder<unknown>,
  key: RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (!after) return sql`true`;
  if (rank < after.rank) return sql`${at} <= ${after.ts}::timestamptz`;
  if (rank > after.rank) return sql`${at} < ${after.ts}::timestamptz`;
  return sql`(${at} < ${after.ts}::timestamptz OR (${at} = ${after.ts}::timestamptz AND ${key} COLLATE "C" < ${after.key}))`;
}

export interface TimelineQuery {
  types?: string;
  cursor?: string;
  limit: number;
}

/** Parses `types`: kinds (order, event, merge, consent) and/or event types (product_viewed, ...). */
export function parseTypes(raw: string | undefined): { kinds: Set<TimelineKind>; eventTypes: string[] | null } {
  if (raw === undefined || raw.trim() === '') return { kinds: new Set(TIMELINE_KINDS), eventTypes: null };
  const parts = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (parts.length > 50) throw badRequest('types lists at most 50 entries', 'types');
  const kinds = new Set<TimelineKind>();
  const eventTypes: string[] = [];
  for (const p of parts) {
    if (TIMELINE_KINDS.includes(p)) kinds.add(p);
    else if (/^[a-z][a-z0-9_.]{0,63}$/.test(p)) eventTypes.push(p);
    else
      throw badRequest(
        `types: "${p.slice(0, 70)}" is neither a kind (${TIMELINE_KINDS.join(', ')}) nor an event type`,
        'types',
      );
  }
  // `event` means every event; event types alone mean only those.
  if (eventTypes.length > 0 && !kinds.has('event')) {
    kinds.add('event');
    return { kinds, eventTypes };
  }
  return { kinds, eventTypes: null };
}

/**
 * One person's history in one stream, newest first: orders, behaviour events, merges and unmerges,
 * consent changes of every customer id of the group. Keyset-paginated on (time, kind, id). Event
 * properties lose personal keys for every role but admin. Null when the customer does not exist.
 */
export async function readTimeline(db: Db, id: string, viewer: Principal, q: TimelineQuery): Promise<Timeline | null> {
  const { kinds, eventTypes } = parseTypes(q.types);
  const c = decodeCursor(q.cursor, 3, ['int', 'int', 'string']);
  let after: After | null = null;
  if (c) {
    const [us, rank, key] = c;
    if (
      typeof us !== 'number' ||
      !Number.isSafeInteger(us) ||
      us < 0 ||
      typeof rank !== 'number' ||
      !Number.isInteger(rank) ||
      typeof key !== 'string'
    )
      throw badRequest('cursor is not valid', 'cursor');
    after = { us, rank, key, ts: tsOf(us) };
  }
  const root = await rootOf(db, id);
  if (!root) return null;
  const members = await groupIds(db, root);
  const n = q.limit + 1;
  const full = viewer.role === 'admin';
  const us = (col: RawBuilder<unknown>) => sql<string>`(extract(epoch from ${col}) * 1000000)::bigint::text`;
  const tasks: Promise<Keyed[]>[] = [];

  if (kinds.has('order')) {
    const at = sql`placed_at`;
    const key = sql`id`;
    tasks.push(
      sql<{
        id: string;
        channel: string;
        total: string;
        status: string;
        placed_at: Date;
        location_id: string | null;
        us: string;
      }>`
        SELECT id, channel, total::text AS total, status, placed_at, location_id, ${us(at)} AS us FROM ${orderSummaries} o
        WHERE customer_id = ANY(${members}::text[]) AND ${afterCursor(after, RANK.order, at, key)}
        ORDER BY placed_at DESC, id COLLATE "C" DESC LIMIT ${n}`
        .execute(db)
        .then((r) =>
          r.rows.map((o) => ({
            us: Number(o.us),
            rank: RANK.order,
            key: o.id,
            item: {
              kind: 'order' as const,
              at: new Date(o.placed_at).toISOString(),
              channel: o.channel,
              data: { order_id: o.id, total: Number(o.total), status: o.status, location_id: o.location_id },
            },
          })),
        ),
    );
  }
  if (kinds.has('event')) {
    const at = sql`occurred_at`;
    const key = sql`event_id`;
    const typeFilter = eventTypes ? sql`type = ANY(${eventTypes}::text[])` : sql`true`;
    tasks.push(
      sql<{
        event_id: string;
        type: string;
        channel: string;
        location_id: string | null;
        properties: Record<string, unknown>;
        occurred_at: Date;
        us: string;
      }>`
        SELECT event_id, type, channel, location_id, properties, occurred_at, ${us(at)} AS us FROM customer_events
        WHERE customer_id = ANY(${members}::text[]) AND ${typeFilter} AND ${afterCursor(after, RANK.event, at, key)}
        ORDER BY occurred_at DESC, event_id COLLATE "C" DESC LIMIT ${n}`
        .execute(db)
        .then((r) =>
          r.rows.map((e) => ({
            us: Number(e.us),
            rank: RANK.event,
            key: e.event_id,
            item: {
              kind: 'event' as const,
              at: new Date(e.occurred_at).toISOString(),
              channel: e.channel,
              type: e.type,
              data: {
                event_id: e.event_id,
                location_id: e.location_id,
                properties: full ? e.properties : (stripPersonal(e.properties) as Record<string, unknown>),
              },
            },
          })),
        ),
    );
  }
  if (kinds.has('consent')) {
    const at = sql`at`;
    const key = sql`lpad(id::text, 20, '0')`;
    tasks.push(
      sql<{ id: string; purpose: string; granted: boolean; channel: string; source: string; at: Date; us: string }>`
        SELECT lpad(id::text, 20, '0') AS id, purpose, granted, channel, source, at, ${us(at)} AS us FROM customer_consents
        WHERE customer_id = ANY(${members}::text[]) AND ${afterCursor(after, RANK.consent, at, key)}
        ORDER BY at DESC, id DESC LIMIT ${n}`
        .execute(db)
        .then((r) =>
          r.rows.map((x) => ({
            us: Number(x.us),
            rank: RANK.consent,
            key: x.id,
            item: {
              kind: 'consent' as const,
              at: new Date(x.at).toISOString(),
              channel: x.channel,
              type: x.purpose,
              data: { purpose: x.purpose, granted: x.granted, source: x.source },
            },
          })),
        ),
    );
  }
  if (kinds.has('merge')) {
    // A merge row is two moments: the merge, and (when undone) the unmerge.
    const at = sql`at`;
    const key = sql`key`;
    tasks.push(
      sql<{
        id: string;
        key: string;
        what: string;
        from_id: string;
        into_id: string;
        channel: string | null;
        linked_by: string[];
        at: Date;
        us: string;
      }>`
        SELECT * FROM (
          SELECT id, id || ':m' AS key, 'merged' AS what, from_id, into_id, channel, linked_by, created_at AS at, ${us(sql`created_at`)} AS us
          FROM customer_merges WHERE from_id = ANY(${members}::text[]) OR into_id = ANY(${members}::text[])
          UNION ALL
          SELECT id, id || ':u', 'unmerged', from_id, into_id, NULL, linked_by, undone_at, ${us(sql`undone_at`)}
          FROM customer_merges WHERE undone_at IS NOT NULL AND (from_id = ANY(${members}::text[]) OR into_id = ANY(${members}::text[]))
        ) m WHERE ${afterCursor(after, RANK.merge, at, key)}
        ORDER BY at DESC, key COLLATE "C" DESC LIMIT ${n}`
        .execute(db)
        .then((r) =>
          r.rows.map((m) => ({
            us: Number(m.us),
            rank: RANK.merge,
            key: m.key,
            item: {
              kind: 'merge' as const,
              at: new Date(m.at).toISOString(),
              ...(m.channel ? { channel: m.channel } : {}),
              type: m.what,
              data: { merge_id: m.id, from: m.from_id, into: m.into_id, linked_by: m.linked_by },
            },
          })),
        ),
    );
  }

  for (const source of SOURCES.values()) {
    if (!kinds.has(source.kind)) continue;
    const rank = source.rank;
    tasks.push(
      source
        .fetch(db, { members, limit: n, after: (at, key) => afterCursor(after, rank, at, key), us, full })
        .then((rows) => rows.map((r) => ({ us: r.us, rank, key: r.key, item: { ...r.item, kind: source.kind } }))),
    );
  }

  const all = (await Promise.all(tasks)).flat();
  all.sort((a, b) => b.us - a.us || b.rank - a.rank || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const pageRows = all.slice(0, q.limit);
  const last = pageRows[pageRows.length - 1];
  return {
    customer_id: root,
    items: await withProductNames(
      db,
      pageRows.map((r) => r.item),
    ),
    next_cursor: all.length > q.limit ? encodeCursor([last.us, last.rank, last.key]) : null,
  };
}

/** Events about one product (viewed, added to cart…) carry its name beside the SKU: one read for the page. */
async function withProductNames(db: Db, items: TimelineItem[]): Promise<TimelineItem[]> {
  const skuOf = (i: TimelineItem) => {
    const sku = i.kind === 'event' ? (i.data.properties as Record<string, unknown> | undefined)?.sku : undefined;
    return typeof sku === 'string' ? sku : null;
  };
  const skus = [...new Set(items.map(skuOf).filter((s): s is string => s !== null))];
  const names = await productNamesOf(db, skus);
  return items.map((i) => {
    const sku = skuOf(i);
    return sku ? { ...i, data: { ...i.data, product_name: names.get(sku) ?? null } } : i;
  });
}
