import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/roles';
import type { Queryable } from '../db/database';
import type { DB } from '../db/schema';
import { AppError } from '../http/errors';
import { getSetting, putSetting } from '../settings';
import { raiseAlert } from './alerts';
import { audit, auditRow, type AuditEntry } from './audit';
import { transact } from '../db/transaction';

/** Audit actions that are reads of personal data; they count towards the bulk-access limit. */
export const PERSONAL_READS = ['customer.view', 'customer.lookup', 'customer.reveal', 'customer.search'] as const;
/** Audit actions that hand over many people at once (a CSV of customer ids or names): each counts as the `records` in its details. */
export const PERSONAL_EXPORTS = ['segment.export', 'customer.export', 'order.export'] as const;
const COUNTED = [...PERSONAL_READS, ...PERSONAL_EXPORTS];

export interface BulkAccessConfig {
  /** Reads allowed per key and window; more raise one alert. 0 turns the limit off. */
  bulkAccessLimit: number;
  bulkAccessWindowSeconds: number;
}

/** What happens beyond the limit: `alert` only raises security.bulk_access; `block` also refuses the key's reads until cleared. */
export const BULK_ACCESS_MODES = ['alert', 'block'] as const;
export type BulkAccessMode = (typeof BULK_ACCESS_MODES)[number];
const MODE_SETTING = 'security.bulk_access_mode';

export async function bulkAccessMode(db: Queryable): Promise<BulkAccessMode> {
  return (await getSetting<BulkAccessMode>(db, MODE_SETTING)) === 'alert' ? 'alert' : 'block';
}

export async function setBulkAccessMode(db: Queryable, mode: BulkAccessMode): Promise<void> {
  await putSetting(db, MODE_SETTING, mode);
}

const blocked = (alertId: string | null) =>
  new AppError(
    429,
    'bulk_access_blocked',
    'this key read more personal data than allowed; an admin must clear its security alert',
    undefined,
    { alert_id: alertId },
  );

/**
 * A read of personal data: refused (429) while the key is blocked, else recorded in the audit log
 * and counted; beyond the limit it raises security.bulk_access and, in block mode, is refused and
 * blocks the key. Recording before counting, in two statements, is what makes the limit hold for
 * a burst of parallel reads: of two reads, the later to record sees the other's record. Not in a
 * transaction on purpose: the read is logged even when the answer fails to send.
 */
export async function personalDataRead(
  db: Kysely<DB>,
  config: BulkAccessConfig,
  actor: Principal,
  entry: AuditEntry & { action: (typeof PERSONAL_READS)[number] },
): Promise<void> {
  if (config.bulkAccessLimit <= 0) return audit(db, actor, entry);
  const { mode, blockedBy } = await auditUnlessBlocked(db, actor, entry);
  if (blockedBy) throw blocked(blockedBy);
  const reads = await countReads(db, config, actor);
  if (reads <= config.bulkAccessLimit) return;
  const alertId = await raiseBulkAccessAlert(db, config, actor, reads, mode);
  if (mode === 'block') throw blocked(alertId);
}

/**
 * An export of `records` people (ids only): refused (429) while the key is blocked, else recorded
 * in the audit log with `records` in its details and counted as that many reads. The export that
 * takes the key beyond the limit raises security.bulk_access (blocking the key's further reads in
 * block mode) and is still delivered: what it lists is ids, and the alert is what must not be missed.
 */
export async function personalDataExport(
  db: Kysely<DB>,
  config: BulkAccessConfig,
  actor: Principal,
  entry: AuditEntry & { action: (typeof PERSONAL_EXPORTS)[number] },
  records: number,
): Promise<void> {
  const logged = { ...entry, details: { ...entry.details, records } };
  if (config.bulkAccessLimit <= 0) return audit(db, actor, logged);
  const { mode, blockedBy } = await auditUnlessBlocked(db, actor, logged);
  if (blockedBy) throw blocked(blockedBy);
  const reads = await countReads(db, config, actor);
  if (reads > config.bulkAccessLimit) await raiseBulkAccessAlert(db, config, actor, reads, mode);
}

/** One statement: the mode, the key's open blocking alert if blocking is on, and the audit record unless blocked. */
async function auditUnlessBlocked(
  db: Kysely<DB>,
  actor: Principal,
  entry: AuditEntry,
): Promise<{ mode: BulkAccessMode; blockedBy: string | null }> {
  const row = auditRow(actor, entry);
  const r = await sql<{ mode: string | null; blocked_by: string | null }>`
    WITH st AS (
      SELECT m.mode, CASE WHEN a.cleared_at IS NULL AND a.blocking AND coalesce(m.mode, 'block') = 'block' THEN a.id END AS blocked_by
      FROM (SELECT (SELECT value #>> '{}' FROM settings WHERE key = ${MODE_SETTING}) AS mode) m
      LEFT JOIN security_alerts a ON a.actor_key = ${actor.keyId} AND a.kind = 'bulk_access'),
    logged AS (
      INSERT INTO audit_log (actor_key, actor_role, action, subject, reason, details)
      SELECT ${row.actor_key}, ${row.actor_role}, ${row.action}, ${row.subject}, ${row.reason}, ${row.details}::jsonb FROM st WHERE st.blocked_by IS NULL)
    SELECT mode, blocked_by FROM st`.execute(db);
  return { mode: r.rows[0].mode === 'alert' ? 'alert' : 'block', blockedBy: r.rows[0].blocked_by };
}

/** The key's personal-data reads in the window (an export counting as its records), from the last clear of its alert if later (audit_log index on actor_key, action, at). */
async function countReads(db: Kysely<DB>, config: BulkAccessConfig, actor: Principal): Promise<number> {
  const windowSeconds = Math.max(1, config.bulkAccessWindowSeconds);
  const r = await sql<{ n: string }>`
    SELECT coalesce(sum(CASE WHEN action IN (${sql.join([...PERSONAL_EXPORTS])})
      THEN coalesce((details ->> 'records')::bigint, 1) ELSE 1 END), 0)::text AS n FROM audit_log
    WHERE actor_key = ${actor.keyId} AND action IN (${sql.join(COUNTED)})
      AND at > greatest(now() - make_interval(secs => ${windowSeconds}),
        (SELECT cleared_at FROM security_alerts WHERE actor_key = ${actor.keyId} AND kind = 'bulk_access'))`.execute(
    db,
  );
  return Number(r.rows[0].n);
}

/** Raises security.bulk_access at most once per window per key (at once after a clear); returns the open alert's id. */
async function raiseBulkAccessAlert(
  db: Kysely<DB>,
  config: BulkAccessConfig,
  actor: Principal,
  reads: number,
  mode: BulkAccessMode,
): Promise<string | null> {
  const windowSeconds = Math.max(1, config.bulkAccessWindowSeconds);
  const details = {
    key_id: actor.keyId,
    key_name: actor.name,
    role: actor.role,
    reads,
    limit: config.bulkAccessLimit,
    window_seconds: windowSeconds,
    mode,
  };
  return transact(db, async (tx) => {
    const raised = await raiseAlert(tx, {
      actor,
      kind: 'bulk_access',
      details,
      blocking: mode === 'block',
      onceWithinSeconds: windowSeconds,
    });
    if (raised) return raised;
    const open = await tx
      .selectFrom('security_alerts')
      .select('id')
      .where('actor_key', '=', actor.keyId)
      .where('kind', '=', 'bulk_access')
      .executeTakeFirst();
    return open?.id ?? null;
  });
}
