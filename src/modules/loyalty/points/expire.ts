import { sql } from 'kysely';
import type { AppContext } from '../../../platform/http/context';
import { customerRoots } from '../../customers/public';
import { expireDueFor, lockedPerson } from './ledger';
import { transact } from '../../../platform/db/transaction';

/**
 * The expiry job: every bucket due by `now` gets an `expire` entry for what is left of it. Safe
 * from several processes: each person is handled under their advisory lock and due buckets are
 * re-read under it, so a bucket is expired once. Works through at most `maxPeople` per call.
 */
export async function expirePoints(
  ctx: AppContext,
  now: Date = new Date(),
  maxPeople = 2000,
): Promise<{ people: number; points: number }> {
  const db = ctx.database.db;
  let people = 0;
  let points = 0;
  while (people < maxPeople) {
    const due = await sql<{ who: string }>`
      SELECT DISTINCT coalesce(c.root, d.customer_id) AS who FROM (
        SELECT customer_id FROM points_buckets WHERE remaining > 0 AND expires_at <= ${now} ORDER BY expires_at LIMIT 200) d
      LEFT JOIN ${customerRoots} c ON c.id = d.customer_id`.execute(db);
    if (due.rows.length === 0) break;
    let round = 0;
    for (const { who } of due.rows) {
      round += await transact(db, async (tx) => expireDueFor(tx, await lockedPerson(tx, who), now));
      people++;
    }
    points += round;
    if (round === 0) break; // another process got there first; it will finish
  }
  if (points > 0) ctx.log.info({ people, points }, 'points expired');
  return { people, points };
}

/** The dispatcher task: expiry at most once a minute per process (the dispatcher ticks every 500 ms). */
export function expirePointsTask(ctx: AppContext, everyMs = 60_000): () => Promise<unknown> {
  let last = 0;
  return async () => {
    if (Date.now() - last < everyMs) return;
    last = Date.now();
    await expirePoints(ctx);
  };
}
