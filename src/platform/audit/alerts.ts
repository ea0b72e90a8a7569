import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/roles';
import type { Queryable } from '../db/database';
import type { DB } from '../db/schema';
import { transact } from '../db/transaction';
import { publish } from '../events/outbox';
import { newId } from '../ids';
import { audit } from './audit';

export interface SecurityAlertsTable {
  id: string;
  actor_key: string;
  kind: string;
  last_at: Date;
  details: unknown;
  blocking: boolean;
  cleared_at: Date | null;
  cleared_by: string | null;
}

declare module '../db/schema' {
  interface DB {
    security_alerts: SecurityAlertsTable;
  }
}

export interface SecurityAlert {
  id: string;
  kind: string;
  key_id: string;
  raised_at: string;
  blocking: boolean;
  details: Record<string, unknown>;
  cleared_at: string | null;
  cleared_by: string | null;
}

export interface NewAlert {
  /** The API key whose behaviour raised it. */
  actor: Principal;
  /** e.g. bulk_access: the event type is security.<kind>. */
  kind: string;
  /** No personal data: ids, counts. */
  details: Record<string, unknown>;
  /** The key is refused what raised the alert until an admin clears it. */
  blocking?: boolean;
  /** While an open alert of this kind for this key is younger than this, raise nothing (0: always raise). */
  onceWithinSeconds?: number;
}

/**
 * Raises a security alert — a row admins list and clear, an audit record and a `security.<kind>`
 * outbox event — in the caller's transaction. One row per key and kind: claimed with one
 * conditional upsert, so racing requests on several processes raise one alert. Returns its id,
 * or null when an open alert already covers it.
 */
export async function raiseAlert(tx: Queryable, a: NewAlert): Promise<string | null> {
  const id = newId('alr');
  const within = a.onceWithinSeconds ?? 0;
  const claimed = await sql<{ id: string }>`
    INSERT INTO security_alerts (id, actor_key, kind, last_at, details, blocking)
    VALUES (${id}, ${a.actor.keyId}, ${a.kind}, now(), ${JSON.stringify(a.details)}::jsonb, ${a.blocking ?? false})
    ON CONFLICT (actor_key, kind) DO UPDATE
      SET id = excluded.id, last_at = excluded.last_at, details = excluded.details, blocking = excluded.blocking, cleared_at = NULL, cleared_by = NULL
      WHERE security_alerts.cleared_at IS NOT NULL
         OR (excluded.blocking AND NOT security_alerts.blocking)
         OR security_alerts.last_at <= excluded.last_at - make_interval(secs => ${within})
    RETURNING id`.execute(tx);
  if (claimed.rows.length === 0) return null;
  await audit(tx, a.actor, {
    action: `security.${a.kind}`,
    subject: a.actor.keyId,
    details: { alert_id: id, ...a.details },
  });
  await publish(tx, {
    aggregateType: 'api_key',
    aggregateId: a.actor.keyId,
    type: `security.${a.kind}`,
    payload: a.details,
  });
  return id;
}

const view = (r: SecurityAlertsTable): SecurityAlert => ({
  id: r.id,
  kind: r.kind,
  key_id: r.actor_key,
  raised_at: r.last_at.toISOString(),
  blocking: r.blocking,
  details: (r.details ?? {}) as Record<string, unknown>,
  cleared_at: r.cleared_at?.toISOString() ?? null,
  cleared_by: r.cleared_by,
});

/** Alerts, newest first: the open ones, or all. */
export async function listAlerts(
  db: Kysely<DB>,
  f: { includeCleared: boolean; limit: number },
): Promise<SecurityAlert[]> {
  let q = db.selectFrom('security_alerts').selectAll().orderBy('last_at', 'desc').limit(f.limit);
  if (!f.includeCleared) q = q.where('cleared_at', 'is', null);
  return (await q.execute()).map(view);
}

/** Clears an alert (a blocked key may read again); audited. Null when there is no such alert. */
export async function clearAlert(db: Kysely<DB>, admin: Principal, id: string): Promise<SecurityAlert | null> {
  return transact(db, async (tx) => {
    const row = await tx
      .updateTable('security_alerts')
      .set({
        cleared_at: sql<Date>`coalesce(cleared_at, now())`,
        cleared_by: sql<string>`coalesce(cleared_by, ${admin.keyId})`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row)
      await audit(tx, admin, {
        action: 'security.alert_cleared',
        subject: row.actor_key,
        details: { alert_id: id, kind: row.kind },
      });
    return row ? view(row) : null;
  });
}
