import './tables';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { deliverSigned } from '../../platform/events/signature';
import type { SafeHttpClient } from '../../platform/net/safe-url';
import { isGranted } from '../customers/public';
import { messageAddress } from '../customers/public';
import { addressType, consentPurpose } from './addresses';
import { channelAdapter, type ChannelAdapter } from './channels';
import type { Channel, SuppressionReason } from './tables';

export interface SenderDeps {
  database: Database;
  keys: KeyRing;
  log: Logger;
  http: SafeHttpClient;
  /** Delays (seconds) before the 2nd, 3rd ... attempt; attempts = delays + 1, then failed. */
  retrySeconds: number[];
  timeoutMs?: number;
}

interface Claimed {
  id: string;
  customer_id: string;
  channel: Channel;
  text: string;
  journey_id: string | null;
  step_id: string | null;
  created_at: Date;
  attempts: number;
}

/** A claimed message is the claimer's for this long; a process that dies mid-send leaves it to be retried then. */
const LEASE_SECONDS = 60;
const BATCH = 50;

export interface SendCounts {
  handed: number;
  /** handed to the log adapter: recorded only */
  recorded: number;
  delivered: number;
  retrying: number;
  failed: number;
  suppressed: number;
}

/**
 * One pass of the sender: claims the due messages (queued past send_after, or sent and due for a
 * retry) with FOR UPDATE SKIP LOCKED and a lease, so several processes share the work and none
 * takes another's; checks consent and the address again now; hands each to its channel's adapter
 * outside any transaction, with the same message_id on every attempt; records the outcome.
 */
export async function sendDueMessages(d: SenderDeps): Promise<SendCounts> {
  const db = d.database.db;
  const claimed = (
    await sql<Claimed>`
      UPDATE messages SET next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS}), updated_at = now()
      WHERE id IN (
        SELECT id FROM messages WHERE status IN ('queued','sent') AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING id, customer_id, channel, text, journey_id, step_id, created_at, attempts`.execute(db)
  ).rows;
  const counts: SendCounts = { handed: 0, recorded: 0, delivered: 0, retrying: 0, failed: 0, suppressed: 0 };
  const adapters = new Map<Channel, Promise<ChannelAdapter>>();
  const adapterOf = (c: Channel) => {
    if (!adapters.has(c)) adapters.set(c, channelAdapter(db, d.keys, c));
    return adapters.get(c)!;
  };
  await Promise.all(
    claimed.map(async (m) => {
      const outcome = await sendOne(d, m, await adapterOf(m.channel));
      counts[outcome]++;
      if (outcome !== 'suppressed') counts.handed++;
    }),
  );
  return counts;
}

async function sendOne(
  d: SenderDeps,
  m: Claimed,
  adapter: ChannelAdapter,
): Promise<Exclude<keyof SendCounts, 'handed'>> {
  const db = d.database.db;
  const stillDue = (q: ReturnType<typeof db.updateTable<'messages'>>) =>
    q.where('id', '=', m.id).where('status', 'in', ['queued', 'sent']);
  const suppress = async (reason: SuppressionReason) => {
    await stillDue(db.updateTable('messages'))
      .set({ status: 'suppressed', reason, next_attempt_at: null, updated_at: new Date() })
      .execute();
    return 'suppressed' as const;
  };
  // Consent may have been withdrawn since the message was queued: it counts as it is now.
  if (!(await isGranted(db, m.customer_id, consentPurpose(m.channel)))) return suppress('no_consent');
  const to = await messageAddress(db, d.keys, m.customer_id, addressType(m.channel));
  if (!to) return suppress('no_address');
  const attempts = m.attempts + 1;
  if (adapter.adapter === 'log') {
    // Recorded only: the log says which message, never to whom or what.
    d.log.info({ message_id: m.id, channel: m.channel }, 'marketing message recorded (log adapter)');
    await stillDue(db.updateTable('messages'))
      .set({ status: 'sent', attempts, to_masked: to.masked, sent_at: new Date(), next_attempt_at: null })
      .execute();
    return 'recorded';
  }
  const body = JSON.stringify({
    message_id: m.id,
    channel: m.channel,
    customer_id: m.customer_id,
    to: to.value,
    text: m.text,
    journey_id: m.journey_id,
    step_id: m.step_id,
    created_at: new Date(m.created_at).toISOString(),
  });
  const error = await deliverSigned(
    d.http,
    adapter.url,
    adapter.secret,
    body,
    { 'idempotency-key': m.id },
    d.timeoutMs ?? 5000,
  );
  const now = new Date();
  if (error === null) {
    // Delivered is what happened, even if the journey was paused meanwhile.
    await db
      .updateTable('messages')
      .set({
        status: 'delivered',
        attempts,
        to_masked: to.masked,
        sent_at: sql<Date>`coalesce(sent_at, now())`,
        delivered_at: now,
        next_attempt_at: null,
        last_error: null,
        updated_at: now,
      })
      .where('id', '=', m.id)
      .execute();
    return 'delivered';
  }
  const done = attempts > d.retrySeconds.length;
  await stillDue(db.updateTable('messages'))
    .set({
      status: done ? 'failed' : 'sent',
      attempts,
      to_masked: to.masked,
      sent_at: sql<Date>`coalesce(sent_at, now())`,
      last_error: error.slice(0, 500),
      next_attempt_at: done ? null : new Date(now.getTime() + d.retrySeconds[attempts - 1] * 1000),
      updated_at: now,
    })
    .execute();
  return done ? 'failed' : 'retrying';
}
