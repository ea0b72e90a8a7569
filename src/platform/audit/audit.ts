import type { Queryable } from '../db/database';
import type { Principal } from '../auth/roles';

export interface AuditEntry {
  action: string;
  subject?: string | null;
  reason?: string | null;
  /** No personal data here: ids, counts, identifier types. */
  details?: Record<string, unknown>;
}

/** Appends to the audit log, in the caller's transaction so the record and the act commit together. */
export async function audit(db: Queryable, actor: Principal | null, e: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values(auditRow(actor, e)).execute();
}

/** The audit_log row of an entry, for a caller that writes it within a larger statement. */
export function auditRow(actor: Principal | null, e: AuditEntry) {
  return {
    actor_key: actor?.keyId ?? null,
    actor_role: actor?.role ?? 'system',
    action: e.action,
    subject: e.subject ?? null,
    reason: e.reason ?? null,
    details: JSON.stringify(e.details ?? {}),
  };
}

/**
 * How the audit log names a subject after its personal data was erased: a keyed hash (HMAC under
 * the master key's blind-index key) of the id, so the trail stays one person's trail and whoever
 * holds the master key can still answer "was cus_... erased, and who touched it?", while the log
 * itself no longer links the id to anything.
 */
export function erasedSubject(keys: { blindIndex(type: string, normalised: string): string }, id: string): string {
  return 'erased:' + keys.blindIndex('audit_subject', id);
}
