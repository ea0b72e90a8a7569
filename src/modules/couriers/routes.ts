import { Type } from '@sinclair/typebox';
import { notFound } from '../../platform/http/errors';
import { errors, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { applyEvent, fulfilmentStatus, lockOrderOfFulfilment, type FulfilmentEvent } from '../fulfilment/public';
import { COURIER_STATUSES, type CourierStatus } from './adapter';
import { transact } from '../../platform/db/transaction';
import { verifyCourierSignature } from './signed-callback';

const TO_EVENT: Record<CourierStatus, FulfilmentEvent | null> = {
  accepted: null,
  picked_up: 'out_for_delivery',
  delivered: 'delivered',
  failed: 'failed',
};

export const courierRoutes: ModuleRoutes = (ctx) => async (app) => {
  // The callback is authenticated by its signature over the exact bytes sent, checked before parsing.
  app.addHook('preParsing', verifyCourierSignature(ctx));

  app.post(
    '/couriers/:adapter/callback',
    {
      config: { roles: [], public: true, idempotent: false },
      schema: {
        tags: ['goods'],
        summary: 'Status callback from a courier platform, signed with the adapter secret (X-Santong-Signature)',
        security: [],
        params: Type.Object({ adapter: Type.String({ minLength: 1, maxLength: 40 }) }),
        body: Type.Object(
          {
            job_id: Type.String({ minLength: 1, maxLength: 100 }),
            status: StringEnum(COURIER_STATUSES),
            at: Type.Optional(Type.String({ format: 'date-time' })),
            rider: Type.Optional(Type.String({ maxLength: 100 })),
          },
          {
            examples: [
              {
                job_id: 'cj_01jeb4d6f8h0k2m4p6r8t0v2x4',
                status: 'picked_up',
                at: '2026-12-05T03:20:00Z',
                rider: 'rider-1043',
              },
            ],
          },
        ),
        response: {
          200: Type.Object({ ok: Type.Boolean(), fulfillment_id: Type.String(), status: Type.String() }),
          ...errors(404, 409),
        },
      },
    },
    async (req) => {
      const adapter = ctx.courier!; // verifyCourierSignature answered 401 without one
      const at = req.body.at ? new Date(req.body.at) : new Date();
      return transact(ctx.database.db, async (tx) => {
        // The order row before its courier job, as cancel takes them (rank 1, platform/db/locks.ts).
        const found = await tx
          .selectFrom('courier_jobs')
          .select('fulfillment_id')
          .where('id', '=', req.body.job_id)
          .executeTakeFirst();
        if (found) await lockOrderOfFulfilment(tx, found.fulfillment_id);
        const job = await tx
          .selectFrom('courier_jobs')
          .selectAll()
          .where('id', '=', req.body.job_id)
          .where('adapter', '=', adapter.name)
          .forUpdate()
          .executeTakeFirst();
        if (!job) throw notFound('courier job', 'job_id');
        const event = TO_EVENT[req.body.status];
        const status = await fulfilmentStatus(tx, job.fulfillment_id);
        // Platforms repeat callbacks: the same status again is acknowledged without a second effect.
        if (job.status !== req.body.status && !(event && status === event)) {
          if (event) await applyEvent(tx, job.fulfillment_id, event, at, `courier:${adapter.name}`, null);
          await tx
            .updateTable('courier_jobs')
            .set({ status: req.body.status, updated_at: new Date() })
            .where('id', '=', job.id)
            .execute();
        }
        return { ok: true, fulfillment_id: job.fulfillment_id, status: await fulfilmentStatus(tx, job.fulfillment_id) };
      });
    },
  );
};
