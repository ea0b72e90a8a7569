import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { decodeCursor, page } from '../../platform/http/pagination';
import { rootOf } from '../customers/public';
import type { Channel, MessageStatus, SuppressionReason } from './tables';

export interface MessageView {
  id: string;
  customer_id: string;
  channel: Channel;
  /** the address, masked (138****5678); null when the person had none */
  to: string | null;
  text: string;
  journey_id: string | null;
  step_id: string | null;
  status: MessageStatus;
  reason: SuppressionReason | null;
  attempts: number;
  send_after: string;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The message log, newest first, by journey, person (any of their ids) and state; keyset-paged. */
export async function listMessages(
  db: Queryable,
  q: { journey_id?: string; customer_id?: string; status?: MessageStatus; cursor?: string; limit: number },
): Promise<{ items: MessageView[]; next_cursor: string | null }> {
  const after = decodeCursor(q.cursor, 2, ['time', 'string']) as [string, string] | null;
  const root = q.customer_id === undefined ? undefined : ((await rootOf(db, q.customer_id)) ?? q.customer_id);
  let query = db.selectFrom('messages').selectAll();
  if (q.journey_id !== undefined) query = query.where('journey_id', '=', q.journey_id);
  if (root !== undefined) query = query.where('customer_id', '=', root);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (after) query = query.where(sql<boolean>`(created_at, id) < (${after[0]}::timestamptz, ${after[1]}::text)`);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const views = rows.map((r): MessageView => ({
    id: r.id,
    customer_id: r.customer_id,
    channel: r.channel,
    to: r.to_masked,
    text: r.text,
    journey_id: r.journey_id,
    step_id: r.step_id,
    status: r.status,
    reason: r.reason,
    attempts: r.attempts,
    send_after: new Date(r.send_after).toISOString(),
    next_attempt_at: iso(r.next_attempt_at),
    last_error: r.last_error,
    created_at: new Date(r.created_at).toISOString(),
    sent_at: iso(r.sent_at),
    delivered_at: iso(r.delivered_at),
  }));
  return page(views, q.limit, (m) => [m.created_at, m.id]);
}
