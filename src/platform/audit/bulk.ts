import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/roles';
import type { DB } from '../db/schema';
import { publish } from '../events/outbox';
import { audit, type AuditEntry } from './audit';
import { transact } from '../db/transaction';

export interface SecurityAlertsTable {
  actor_key: string;
  kind: string;
  last_at: Date;
}

declare module '../db/schema' {
  interface DB {
    security_alerts: SecurityAlertsTable;
  }
}

/** Audit actions that are reads of personal data; they count towards the bulk-access limit. */
export const PERSONAL_READS = ['customer.view', 'customer.lookup', 'customer.reveal', 'customer.search'] as const;

export interface BulkAccessConfig {
  /** Reads allowed per key and window; more raise one alert. 0 turns the alert off. */
  bulkAccessLimit: number;
  bulkAccessWindowSeconds: number;
}

/**
 * Records a read of personal data in the audit log, then checks the caller's rate. Not in a
 * transaction on purpose: the read is logged even when the answer fails to send.
 */
export async function personalDataRead(db: Kysely<DB>, config: BulkAccessConfig, actor: Principal, entry: AuditEntry & { action: (typeof PERSONAL_READS)[number] }): Promise<void> {
  await audit(db, actor, entry);
  await checkBulkAccess(db, config, actor);
}

/**
 * Counts the key's personal-data reads in the last window (audit_log index on actor_key, action,
 * at) and, when there are more than the limit, raises `security.bulk_access` — an outbox event
 * for subscribers and webhooks, plus an audit record — at most once per window per key. The
 * once-only claim is a conditional upsert on security_alerts, safe across processes.
 * Returns whether this call raised the alert.
 */
export async function checkBulkAccess(db: Kysely<DB>, config: BulkAccessConfig, actor: Principal): Promise<boolean> {
  const limit = config.bulkAccessLimit;
  if (limit <= 0) return false;
  const windowSeconds = Math.max(1, config.bulkAccessWindowSeconds);
  const counted = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM audit_log
    WHERE actor_key = ${actor.keyId} AND action IN (${sql.join([...PERSONAL_READS])})
      AND at > now() - make_interval(secs => ${windowSeconds})`.execute(db);
  const reads = Number(counted.rows[0].n);
  if (reads <= limit) return false;
  return transact(db, async (tx) => {
    const claimed = await sql<{ actor_key: string }>`
      INSERT INTO security_alerts (actor_key, kind, last_at) VALUES (${actor.keyId}, 'bulk_access', now())
      ON CONFLICT (actor_key, kind) DO UPDATE SET last_at = excluded.last_at
        WHERE security_alerts.last_at <= excluded.last_at - make_interval(secs => ${windowSeconds})
      RETURNING actor_key`.execute(tx);
    if (claimed.rows.length === 0) return false;
    const details = { key_id: actor.keyId, key_name: actor.name, role: actor.role, reads, limit, window_seconds: windowSeconds };
    await audit(tx, actor, { action: 'security.bulk_access', subject: actor.keyId, details });
    await publish(tx, { aggregateType: 'api_key', aggregateId: actor.keyId, type: 'security.bulk_access', payload: details });
    return true;
  });
}
