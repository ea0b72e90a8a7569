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
  await db
    .insertInto('audit_log')
    .values({
      actor_key: actor?.keyId ?? null,
      actor_role: actor?.role ?? 'system',
      action: e.action,
      subject: e.subject ?? null,
      reason: e.reason ?? null,
      details: JSON.stringify(e.details ?? {}),
    })
    .execute();
}
