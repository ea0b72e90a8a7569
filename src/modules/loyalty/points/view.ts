import './tables';
import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Queryable } from '../../../platform/db/database';
import { badRequest } from '../../../platform/http/errors';
import { decodeCursor, page } from '../../../platform/http/pagination';
import { balanceOf } from './ledger';
import type { ExpiringSoonSchema, HistoryItemSchema } from './schemas';

export type ExpiringSoon = Static<typeof ExpiringSoonSchema>;

/** Points that expire within `days` of `now`, by expiry date. */
export async function expiringSoon(db: Queryable, members: string[], now: Date, days = 30): Promise<ExpiringSoon> {
  const until = new Date(now.getTime() + days * 86400_000);
  const rows = await sql<{ expires_at: Date; points: string }>`
    SELECT expires_at, sum(remaining)::text AS points FROM points_buckets
    WHERE customer_id = ANY(${members}::text[]) AND remaining > 0 AND expires_at <= ${until}
    GROUP BY expires_at ORDER BY expires_at`.execute(db);
  const items = rows.rows.map((r) => ({ expires_at: new Date(r.expires_at).toISOString(), points: Number(r.points) }));
  return { points: items.reduce((t, i) => t + i.points, 0), items };
}

export type HistoryItem = Static<typeof HistoryItemSchema>;

/** The person's ledger, newest first, keyset-paged by entry id. */
export async function pointsHistory(
  db: Queryable,
  members: string[],
  opts: { cursor?: string; limit: number },
): Promise<{ items: HistoryItem[]; next_cursor: string | null }> {
  const after = decodeCursor(opts.cursor, 1);
  let q = db
    .selectFrom('points_entries as e')
    .leftJoin('points_buckets as b', 'b.id', 'e.id')
    .select([
      'e.id',
      'e.kind',
      'e.points',
      'e.source',
      'e.order_ref',
      'e.event_ref',
      'e.reverses',
      'e.unrecovered',
      'e.reason',
      'e.created_at',
      'b.expires_at',
      'b.remaining',
    ])
    .where('e.customer_id', 'in', members);
  if (after) {
    const id = String(after[0]);
    if (!/^\d{1,18}$/.test(id)) throw badRequest('cursor is not valid', 'cursor');
    q = q.where('e.id', '<', id);
  }
  const rows = await q
    .orderBy('e.id', 'desc')
    .limit(opts.limit + 1)
    .execute();
  const items: HistoryItem[] = rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    points: Number(r.points),
    source: r.source,
    order_ref: r.order_ref,
    event_ref: r.event_ref,
    reverses: r.reverses,
    unrecovered: Number(r.unrecovered),
    reason: r.reason,
    created_at: new Date(r.created_at).toISOString(),
    expires_at: r.expires_at ? new Date(r.expires_at).toISOString() : null,
    remaining: r.remaining === null ? null : Number(r.remaining),
  }));
  return page(items, opts.limit, (i) => [i.id]);
}

export async function pointsSummary(
  db: Queryable,
  members: string[],
  now: Date,
): Promise<{ balance: number; expiring_soon: ExpiringSoon }> {
  const [balance, soon] = await Promise.all([balanceOf(db, members), expiringSoon(db, members, now)]);
  return { balance, expiring_soon: soon };
}
