import '../tiers/tables';
import '../referrals/tables';
import './tables';
import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/database';
import type { ErasureScope } from '../../customers/public';

/**
 * Erasure of a person from loyalty: the points ledger and the tier spend stay as anonymous
 * accounting rows (the customer id replaced by the erasure's substitute, as orders are), reasons
 * are scrubbed; the tier held and the invite code are deleted; referrals name the substitute.
 */
export async function eraseLoyalty(tx: Tx, scope: ErasureScope): Promise<number> {
  let n = 0;
  const count = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
    (n += Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0));
  for (const [id, sub] of scope.substitute) {
    count(
      await tx.updateTable('points_entries').set({ customer_id: sub }).where('customer_id', '=', id).executeTakeFirst(),
    );
    count(
      await tx.updateTable('points_buckets').set({ customer_id: sub }).where('customer_id', '=', id).executeTakeFirst(),
    );
    count(
      await tx.updateTable('tier_spend').set({ customer_id: sub }).where('customer_id', '=', id).executeTakeFirst(),
    );
    count(await tx.updateTable('referrals').set({ referee_id: sub }).where('referee_id', '=', id).executeTakeFirst());
    count(await tx.updateTable('referrals').set({ referrer_id: sub }).where('referrer_id', '=', id).executeTakeFirst());
    // referral entries carry the referee's id in their refs
    await sql`
      UPDATE points_entries SET idempotency_key = replace(idempotency_key, ${id}, ${sub}), event_ref = replace(event_ref, ${id}, ${sub})
      WHERE idempotency_key LIKE ${'%' + id + '%'} OR event_ref LIKE ${'%' + id + '%'}`.execute(tx);
  }
  const subs = [...scope.substitute.values()];
  if (subs.length) {
    const reasons = await tx
      .selectFrom('points_entries')
      .select(['id', 'reason'])
      .where('customer_id', 'in', subs)
      .where('reason', 'is not', null)
      .execute();
    for (const r of reasons) {
      const clean = scope.scrubText(r.reason!);
      if (clean !== r.reason)
        await tx.updateTable('points_entries').set({ reason: clean }).where('id', '=', r.id).execute();
    }
  }
  count(await tx.deleteFrom('customer_tiers').where('customer_id', 'in', scope.ids).executeTakeFirst());
  count(await tx.deleteFrom('referral_codes').where('customer_id', 'in', scope.ids).executeTakeFirst());
  return n;
}
