import './tables';
import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database';
import { rootOf } from '../customers/identity';
import { isGranted } from '../customers/consent';
import { maskedAddress } from '../customers/public';
import { currentTimezone } from '../loyalty/points/expiry-date';
import { addressType, consentPurpose } from './addresses';
import { sendAfter } from './quiet-hours';
import { getMessagingSettings } from './settings';
import type { Channel, SuppressionReason } from './tables';

export interface QueueResult {
  messageId: string;
  status: 'queued' | 'suppressed';
  reason?: 'no_consent' | 'no_address' | 'frequency_cap';
  sendAfter?: string;
}

const resultOf = (r: { id: string; status: string; reason: string | null; send_after: Date }): QueueResult =>
  r.status === 'suppressed'
    ? { messageId: r.id, status: 'suppressed', reason: r.reason as QueueResult['reason'] }
    : { messageId: r.id, status: 'queued', sendAfter: new Date(r.send_after).toISOString() };

/**
 * Queues one marketing message inside the caller's transaction. Idempotent on messageId: a second
 * call with the same id returns the first result and queues nothing. Decides suppression now (at
 * queue time) for no_consent / no_address / frequency_cap; quiet hours only delay (send_after).
 * Consent is checked again when the sender takes it up. An unknown or erased customer is
 * `no_address`. Takes the advisory lock `message-cap:<root>:<channel>` (so two concurrent messages
 * cannot both pass the cap); the caller takes no ranked lock after it (platform/db/locks.ts).
 */
export async function queueMessage(
  tx: Tx,
  m: {
    messageId: string;
    customerId: string;
    channel: Channel;
    text: string;
    journeyId?: string | null;
    stepId?: string | null;
    now?: Date;
  },
): Promise<QueueResult> {
  const existing = await tx
    .selectFrom('messages')
    .select(['id', 'status', 'reason', 'send_after'])
    .where('id', '=', m.messageId)
    .executeTakeFirst();
  if (existing) return resultOf(existing);
  const now = m.now ?? new Date();
  const root = (await rootOf(tx, m.customerId)) ?? m.customerId;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`message-cap:${root}:${m.channel}`}, 0))`.execute(tx);
  const settings = await getMessagingSettings(tx);
  const masked = await maskedAddress(tx, root, addressType(m.channel));
  let reason: SuppressionReason | null = null;
  if (!(await isGranted(tx, root, consentPurpose(m.channel)))) reason = 'no_consent';
  else if (masked === null) reason = 'no_address';
  else if (settings.frequency_cap) {
    const since = new Date(now.getTime() - settings.frequency_cap.days * 86_400_000);
    const n = await tx
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('customer_id', '=', root)
      .where('channel', '=', m.channel)
      .where('status', 'in', ['queued', 'sent', 'delivered'])
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(n.n) >= settings.frequency_cap.max) reason = 'frequency_cap';
  }
  const after = sendAfter(now, settings.quiet_hours, currentTimezone());
  const row = await tx
    .insertInto('messages')
    .values({
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
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning(['id', 'status', 'reason', 'send_after'])
    .executeTakeFirst();
  // A concurrent call with the same id (another customer's lock) inserted it first: its result stands.
  return resultOf(
    row ??
      (await tx
        .selectFrom('messages')
        .select(['id', 'status', 'reason', 'send_after'])
        .where('id', '=', m.messageId)
        .executeTakeFirstOrThrow()),
  );
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
