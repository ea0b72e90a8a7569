import './tables';
import { sql } from 'kysely';
import type { Queryable, Tx } from '../../../platform/db/database';
import { lockPersons } from '../../../platform/db/locks';
import { groupIds, rootOf } from '../../customers/public';
import type { EntryKind } from './tables';

/**
 * The points ledger's primitives. Invariant kept by every writer (and checked by the property
 * tests): for a person, sum(points_entries.points) = sum(points_buckets.remaining) >= 0.
 * Positive entries open a bucket; negative entries take from buckets (recorded in points_moves).
 * Writers hold the person's advisory lock (lockPerson) for the whole transaction.
 */

export interface Person {
  root: string;
  members: string[];
}

/** The person (root and every id of the group) an id belongs to; an unknown id stands alone. */
export async function personOf(db: Queryable, customerId: string): Promise<Person> {
  const root = (await rootOf(db, customerId)) ?? customerId;
  const members = await groupIds(db, root);
  return { root, members: members.length ? members : [root] };
}

/** Serialises writers of one person's points (and tier) for the rest of the transaction (rank 2 of the lock order). */
export async function lockPerson(tx: Tx, root: string): Promise<void> {
  await lockPersons(tx, [root]);
}

/** Locks a person (after resolving the id to its root) and returns them. */
export async function lockedPerson(tx: Tx, customerId: string): Promise<Person> {
  let root = (await rootOf(tx, customerId)) ?? customerId;
  await lockPerson(tx, root);
  const again = (await rootOf(tx, customerId)) ?? customerId;
  if (again !== root) {
    root = again; // merged meanwhile: lock the survivor too
    await lockPerson(tx, root);
  }
  const members = await groupIds(tx, root);
  return { root, members: members.length ? members : [root] };
}

export interface NewEntry {
  customer_id: string;
  kind: EntryKind;
  points: number;
  source: string;
  order_ref?: string | null;
  event_ref?: string | null;
  reverses?: 'earn' | 'redeem' | null;
  unrecovered?: number;
  reason?: string | null;
  idempotency_key?: string | null;
  created_at: Date;
}

export async function appendEntry(tx: Tx, e: NewEntry): Promise<string> {
  const row = await tx
    .insertInto('points_entries')
    .values({
      customer_id: e.customer_id,
      kind: e.kind,
      points: e.points,
      source: e.source,
      order_ref: e.order_ref ?? null,
      event_ref: e.event_ref ?? null,
      reverses: e.reverses ?? null,
      unrecovered: e.unrecovered ?? 0,
      reason: e.reason ?? null,
      idempotency_key: e.idempotency_key ?? null,
      created_at: e.created_at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A positive entry with its own bucket (earn, referral reward, positive adjustment). */
export async function credit(tx: Tx, e: NewEntry & { expires_at: Date }): Promise<string> {
  const id = await appendEntry(tx, e);
  await tx
    .insertInto('points_buckets')
    .values({
      id,
      customer_id: e.customer_id,
      points: e.points,
      remaining: e.points,
      expires_at: e.expires_at,
      created_at: e.created_at,
    })
    .execute();
  return id;
}

export async function entryByKey(
  db: Queryable,
  key: string,
): Promise<{ id: string; points: number; unrecovered: number } | null> {
  const r = await db
    .selectFrom('points_entries')
    .select(['id', 'points', 'unrecovered'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return r ? { id: r.id, points: Number(r.points), unrecovered: Number(r.unrecovered) } : null;
}

/** Sum of the person's entries. */
export async function balanceOf(db: Queryable, members: string[]): Promise<number> {
  const r = await db
    .selectFrom('points_entries')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('points'), sql<string>`0`).as('n'))
    .where('customer_id', 'in', members)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

interface OpenBucket {
  id: string;
  remaining: number;
  expires_at: Date;
}

/** The person's buckets with points left, first-expiring first, row-locked. */
async function openBuckets(tx: Tx, members: string[]): Promise<OpenBucket[]> {
  const rows = await tx
    .selectFrom('points_buckets')
    .select(['id', 'remaining', 'expires_at'])
    .where('customer_id', 'in', members)
    .where('remaining', '>', '0')
    .orderBy('expires_at')
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((r) => ({ id: r.id, remaining: Number(r.remaining), expires_at: new Date(r.expires_at) }));
}

/** Records that an entry took `points` from (or, negative, gave them back to) a bucket. */
async function move(tx: Tx, entryId: string, bucketId: string, points: number): Promise<void> {
  await tx.insertInto('points_moves').values({ entry_id: entryId, bucket_id: bucketId, points }).execute();
  await sql`UPDATE points_buckets SET remaining = remaining - ${points} WHERE id = ${bucketId}`.execute(tx);
}

/**
 * Takes up to `points` from the person's buckets for a negative entry: first from `prefer` (the
 * bucket a reversal belongs to), then first-expiring-first. Returns what was taken per bucket.
 * The caller has written the entry with the amount it will take (see takeAndRecord).
 */
async function plan(
  tx: Tx,
  members: string[],
  points: number,
  prefer: string | null,
): Promise<{ id: string; take: number }[]> {
  const buckets = await openBuckets(tx, members);
  if (prefer) buckets.sort((a, b) => (a.id === prefer ? -1 : b.id === prefer ? 1 : 0));
  const out: { id: string; take: number }[] = [];
  let left = points;
  for (const b of buckets) {
    if (left <= 0) break;
    const take = Math.min(left, b.remaining);
    out.push({ id: b.id, take });
    left -= take;
  }
  return out;
}

/**
 * A negative entry taking `want` points first-expiring-first (after `prefer`). With `partial`, it
 * takes what is there and records the rest as unrecovered; without, the caller has checked the
 * balance. Returns the points taken.
 */
export async function debit(
  tx: Tx,
  person: Person,
  want: number,
  e: Omit<NewEntry, 'points' | 'unrecovered'>,
  opts: { prefer?: string | null; partial?: boolean } = {},
): Promise<{ taken: number; entryId: string | null }> {
  if (want <= 0) return { taken: 0, entryId: null };
  const takes = await plan(tx, person.members, want, opts.prefer ?? null);
  const taken = takes.reduce((t, x) => t + x.take, 0);
  if (taken < want && !opts.partial)
    throw new Error(`points: wanted ${want}, ${taken} there (caller must check the balance)`);
  const entryId = await appendEntry(tx, { ...e, points: -taken, unrecovered: want - taken });
  for (const t of takes) await move(tx, entryId, t.id, t.take);
  return { taken, entryId };
}

/**
 * Gives back up to `points` to the buckets the given entries took from (a returned or cancelled
 * order's redemption), latest-expiring first, as one positive entry. A bucket that has expired
 * meanwhile gets its points back and is expired again by expireDue, so expiry stays exact.
 */
export async function giveBack(
  tx: Tx,
  takenBy: string[],
  points: number,
  e: Omit<NewEntry, 'points'>,
): Promise<number> {
  if (points <= 0 || takenBy.length === 0) return 0;
  const net = await sql<{ bucket_id: string; net: string; expires_at: Date }>`
    SELECT m.bucket_id, sum(m.points)::text AS net, b.expires_at
    FROM points_moves m JOIN points_buckets b ON b.id = m.bucket_id
    WHERE m.entry_id = ANY(${takenBy}::bigint[])
    GROUP BY m.bucket_id, b.expires_at
    HAVING sum(m.points) > 0
    ORDER BY b.expires_at DESC, m.bucket_id DESC`.execute(tx);
  const gives: { id: string; give: number }[] = [];
  let left = points;
  for (const r of net.rows) {
    if (left <= 0) break;
    const give = Math.min(left, Number(r.net));
    gives.push({ id: r.bucket_id, give });
    left -= give;
  }
  const total = points - left;
  if (total === 0) return 0;
  const entryId = await appendEntry(tx, { ...e, points: total });
  for (const g of gives) await move(tx, entryId, g.id, -g.give);
  return total;
}

/** Expires the person's due buckets: one `expire` entry per bucket. Returns the points expired. */
export async function expireDueFor(tx: Tx, person: Person, now: Date): Promise<number> {
  const due = await tx
    .selectFrom('points_buckets')
    .select(['id', 'remaining'])
    .where('customer_id', 'in', person.members)
    .where('remaining', '>', '0')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .orderBy('id')
    .forUpdate()
    .execute();
  let total = 0;
  for (const b of due) {
    const n = Number(b.remaining);
    const entryId = await appendEntry(tx, {
      customer_id: person.root,
      kind: 'expire',
      points: -n,
      source: 'expiry',
      event_ref: `bucket:${b.id}`,
      created_at: now,
    });
    await move(tx, entryId, b.id, n);
    total += n;
  }
  return total;
}
