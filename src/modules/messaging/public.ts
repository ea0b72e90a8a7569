import './tables';
import { sql, type Insertable } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { rootsOf } from '../customers/public';
import { byteOrder } from '../../platform/db/locks';
import { isGranted } from '../customers/public';
import { maskedAddress } from '../customers/public';
import { currentTimezone } from '../loyalty/public';
import { addressType, consentPurpose } from './addresses';
import { sendAfter } from './quiet-hours';
import { getMessagingSettings } from './settings';
import type { Channel, MessagesTable, SuppressionReason } from './tables';

export interface QueueResult {
  messageId: string;
  status: 'queued' | 'suppressed';
  reason?: 'no_consent' | 'no_address' | 'frequency_cap';
  sendAfter?: string;
}

const QUEUE_TIME_REASONS: readonly string[] = ['no_consent', 'no_address', 'frequency_cap'];

/**
 * The result the first call answered, from the stored row: suppressed at queue time, or queued
 * (whatever became of it since: sent, delivered, or suppressed later by a pause or an erasure).
 */
const resultOf = (r: { id: string; status: string; reason: string | null; send_after: Date }): QueueResult =>
  r.status === 'suppressed' && r.reason !== null && QUEUE_TIME_REASONS.includes(r.reason)
    ? { messageId: r.id, status: 'suppressed', reason: r.reason as QueueResult['reason'] }
    : { messageId: r.id, status: 'queued', sendAfter: new Date(r.send_after).toISOString() };

export interface MessageToQueue {
  messageId: string;
  customerId: string;
  channel: Channel;
  text: string;
  journeyId?: string | null;
  stepId?: string | null;
  now?: Date;
}

/** Queues one marketing message inside the caller's transaction: queueMessages for one. */
export async function queueMessage(tx: Tx, m: MessageToQueue): Promise<QueueResult> {
  return (await queueMessages(tx, [m]))[0]!;
}

/**
 * Queues marketing messages inside the caller's transaction (a journey's step for a batch of
 * enrolments: one message per person and channel), answering each one's result in order.
 * Idempotent on messageId: a message id already there returns the first result and queues
 * nothing. Decides suppression now (at queue time) for no_consent / no_address / frequency_cap;
 * quiet hours only delay (send_after). Consent is checked again when the sender takes it up. An
 * unknown or erased customer is `no_address`. Takes the advisory locks
 * `message-cap:<root>:<channel>` in byte order in one statement (so two concurrent messages
 * cannot both pass the cap); the caller takes no ranked lock after them (platform/db/locks.ts).
 */
export async function queueMessages(tx: Tx, list: readonly MessageToQueue[]): Promise<QueueResult[]> {
  const stored = async (ids: string[]) =>
    new Map(
      (ids.length === 0
        ? []
        : await tx
            .selectFrom('messages')
            .select(['id', 'status', 'reason', 'send_after'])
            .where('id', 'in', ids)
            .execute()
      ).map((r) => [r.id, resultOf(r)]),
    );
  const existing = await stored(list.map((m) => m.messageId));
  const fresh = list.filter((m) => !existing.has(m.messageId));
  if (fresh.length > 0) {
    const roots = await rootsOf(
      tx,
      fresh.map((m) => m.customerId),
    );
    const capKey = (i: number) => `message-cap:${roots[i] ?? fresh[i]!.customerId}:${fresh[i]!.channel}`;
    const keys = [...new Set(fresh.map((_, i) => capKey(i)))].sort(byteOrder);
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${keys}::text[]) AS k`.execute(tx);
    const settings = await getMessagingSettings(tx);
    const cap = settings.frequency_cap;
    const sentBy = new Map<string, number>();
    if (cap) {
      const since = new Date((fresh[0]!.now ?? new Date()).getTime() - cap.days * 86_400_000);
      const r = await sql<{ customer_id: string; channel: string; n: string }>`
        SELECT customer_id, channel, count(*) AS n FROM messages
        WHERE customer_id = ANY(${[...new Set(roots.filter((x) => x !== null))]}::text[])
          AND status IN ('queued', 'sent', 'delivered') AND created_at > ${since.toISOString()}::timestamptz
        GROUP BY customer_id, channel`.execute(tx);
      for (const x of r.rows) sentBy.set(`message-cap:${x.customer_id}:${x.channel}`, Number(x.n));
    }
    const rows: Insertable<MessagesTable>[] = [];
    for (const [i, m] of fresh.entries()) {
      const now = m.now ?? new Date();
      const root = roots[i] ?? m.customerId;
      const masked = roots[i] ? await maskedAddress(tx, root, addressType(m.channel)) : null;
      let reason: SuppressionReason | null = null;
      if (!(await isGranted(tx, root, consentPurpose(m.channel)))) reason = 'no_consent';
      else if (masked === null) reason = 'no_address';
      else if (cap && (sentBy.get(capKey(i)) ?? 0) >= cap.max) reason = 'frequency_cap';
      if (!reason) sentBy.set(capKey(i), (sentBy.get(capKey(i)) ?? 0) + 1);
      const after = sendAfter(now, settings.quiet_hours, currentTimezone());
      rows.push({
        id: m.messageId,
        customer_id: root,
        channel: m.channel,
        text: m.text,
        journey_id: m.journeyId ?? null,
        step_id: m.stepId ?? null,
        status: reason ? 'suppressed' : 'queued',
        reason,
        to_masked: masked,
        send_after: after,
        next_attempt_at: reason ? null : after,
        last_error: null,
        created_at: now,
        sent_at: null,
        delivered_at: null,
      });
    }
    // A concurrent call with the same id (another customer's lock) inserted it first: its result stands.
    await tx
      .insertInto('messages')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
  const now = await stored(fresh.map((m) => m.messageId));
  return list.map((m) => existing.get(m.messageId) ?? now.get(m.messageId)!);
}

/**
 * A journey's messages by state: `sent` counts those handed to the adapter at least once
 * (whatever came of it), `delivered` and `failed` their outcomes, `suppressed` those never sent.
 */
export async function messageCountsByJourney(
  db: Queryable,
  journeyId: string,
): Promise<{ sent: number; delivered: number; failed: number; suppressed: number }> {
  const r = await sql<{ sent: string; delivered: string; failed: string; suppressed: string }>`
    SELECT count(*) FILTER (WHERE attempts > 0) AS sent,
           count(*) FILTER (WHERE status = 'delivered') AS delivered,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'suppressed') AS suppressed
    FROM messages WHERE journey_id = ${journeyId}`.execute(db);
  const x = r.rows[0];
  return {
    sent: Number(x?.sent ?? 0),
    delivered: Number(x?.delivered ?? 0),
    failed: Number(x?.failed ?? 0),
    suppressed: Number(x?.suppressed ?? 0),
  };
}

/**
 * Pausing a journey: its messages not yet handed to an adapter become `suppressed` (reason
 * journey_paused) at once. Returns how many. One handed over and waiting for a retry is left to finish.
 */
export async function cancelQueuedMessages(tx: Tx, q: { journeyId: string }): Promise<number> {
  const r = await tx
    .updateTable('messages')
    .set({ status: 'suppressed', reason: 'journey_paused', next_attempt_at: null, updated_at: new Date() })
    .where('journey_id', '=', q.journeyId)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export { messageChannelFor, type MessageChannel } from './channel';
