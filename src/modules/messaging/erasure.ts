import type { ErasureScope } from '../customers/public';
import type { Tx } from '../../platform/db/database';

/**
 * An erased person's messages: those not yet sent are suppressed (reason erased), a pending retry
 * is given up (failed); every one keeps its state for the journeys' figures, under the person's
 * random substitute, its text scrubbed of their known values and no address.
 */
export async function eraseMessages(tx: Tx, scope: ErasureScope): Promise<number> {
  const rows = await tx
    .selectFrom('messages')
    .select(['id', 'customer_id', 'text', 'status', 'next_attempt_at'])
    .where('customer_id', 'in', scope.ids)
    .execute();
  for (const r of rows) {
    const stop =
      r.status === 'queued'
        ? { status: 'suppressed' as const, reason: 'erased' as const, next_attempt_at: null }
        : r.status === 'sent' && r.next_attempt_at
          ? { status: 'failed' as const, last_error: 'customer erased', next_attempt_at: null }
          : {};
    await tx
      .updateTable('messages')
      .set({
        ...stop,
        customer_id: scope.substitute.get(r.customer_id) ?? r.customer_id,
        text: scope.scrubText(r.text),
        to_masked: null,
        updated_at: new Date(),
      })
      .where('id', '=', r.id)
      .execute();
  }
  return rows.length;
}
