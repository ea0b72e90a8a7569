import { sql } from 'kysely';
import type { AppContext } from '../../platform/http/context';
import { backoffSeconds } from '../../platform/events/dispatcher';
import { allocation, setCourierReference } from '../fulfilment/public';
import { getLocation } from '../locations/public';
import { deliveryOf } from '../orders/public';
import type { CourierJob } from './adapter';

/**
 * Sends pending courier jobs to the adapter: claimed with a short lease so several processes can
 * run it, sent outside any transaction, retried with backoff.
 */
export async function sendCourierJobs(ctx: AppContext, publicUrl: string): Promise<number> {
  const adapter = ctx.courier;
  if (!adapter) return 0;
  const db = ctx.database.db;
  const claimed = (
    await sql<{ id: string; fulfillment_id: string; attempts: number }>`
      UPDATE courier_jobs SET next_attempt_at = now() + interval '60 seconds'
      WHERE id IN (SELECT id FROM courier_jobs WHERE status = 'pending' AND next_attempt_at <= now()
                   ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
      RETURNING id, fulfillment_id, attempts`.execute(db)
  ).rows;
  let sent = 0;
  for (const c of claimed) {
    const f = await allocation(db, c.fulfillment_id);
    const [dropoff, loc] = await Promise.all([deliveryOf(db, ctx.keys, f.order_id), getLocation(db, f.location_id)]);
    if (!loc) throw new Error(`location ${f.location_id} of fulfilment ${f.id} does not exist`);
    const job: CourierJob = {
      job_id: c.id,
      fulfillment_id: f.id,
      order_id: f.order_id,
      speed: f.speed,
      pickup: { location_id: loc.id, name: loc.name, lat: loc.lat, lng: loc.lng, address: loc.address },
      dropoff,
      items: f.lines,
      callback_url: `${publicUrl}/v1/couriers/${adapter.name}/callback`,
    };
    try {
      const r = await adapter.dispatch(job);
      await db
        .updateTable('courier_jobs')
        .set({
          status: 'sent',
          external_id: r.external_id,
          attempts: c.attempts + 1,
          updated_at: new Date(),
          last_error: null,
        })
        .where('id', '=', c.id)
        .where('status', '=', 'pending')
        .execute();
      await setCourierReference(db, f.id, r.external_id);
      sent++;
    } catch (e) {
      const attempts = c.attempts + 1;
      await db
        .updateTable('courier_jobs')
        .set({
          attempts,
          last_error: (e instanceof Error ? e.message : String(e)).slice(0, 500),
          next_attempt_at: new Date(Date.now() + backoffSeconds(attempts) * 1000),
          status: attempts >= 10 ? 'failed' : 'pending',
          updated_at: new Date(),
        })
        .where('id', '=', c.id)
        .execute();
    }
  }
  return sent;
}
