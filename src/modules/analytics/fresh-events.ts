import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { PublishedEvent } from '../../platform/events/outbox';

/**
 * The events of a dispatched batch a rollup has not applied yet, recorded as applied now (an event
 * dispatched twice counts once): those numbered above the last rebuild's watermark (older ones are
 * in the rebuilt figures) and not in `appliedTable`. Takes the rollups' lock shared first: batches
 * run side by side, a rebuild (exclusive) waits for them and they for it.
 */
export async function freshEvents(
  tx: Tx,
  appliedTable: 'analytics_applied_events' | 'analytics_coupon_applied_events',
  events: PublishedEvent[],
): Promise<PublishedEvent[]> {
  if (events.length === 0) return [];
  await sql`SELECT pg_advisory_xact_lock_shared(hashtext('analytics.rollups'))`.execute(tx);
  const state = (
    await sql<{ watermark: string }>`SELECT watermark::text AS watermark FROM analytics_rollup_state`.execute(tx)
  ).rows[0];
  const watermark = state ? BigInt(state.watermark) : -1n;
  const candidates = events.filter((e) => BigInt(e.id) > watermark);
  if (candidates.length === 0) return [];
  const fresh = new Set(
    (
      await sql<{ event_id: string }>`
        INSERT INTO ${sql.table(appliedTable)} (event_id)
        SELECT unnest(string_to_array(${candidates.map((e) => e.id).join(',')}, ','))::bigint
        ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text AS event_id`.execute(tx)
    ).rows.map((r) => r.event_id),
  );
  return candidates.filter((e) => fresh.has(e.id));
}
