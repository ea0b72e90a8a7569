import { Type } from '@sinclair/typebox';
import { notFound } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { FulfilmentSchema } from './schemas';
import { collect, listFulfilments, readFulfilment, recordEvent } from './service';
import { FULFILMENT_EVENTS, FULFILMENT_STATUSES } from './state';

const staff = ['admin', 'store_staff', 'support', 'integration'] as const;
const IdParams = Type.Object({ id: Id });
// Store staff act on their store's fulfilments, integration keys on those of their channel's orders.
const own = { roles: staff, scope: 'orders', acts: { kind: 'fulfilment', param: 'id' } } as const;

export const fulfilmentRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/fulfillments',
    {
      // A store's queue: integration keys read their orders' fulfilments one by one, not every store's queue.
      config: { roles: ['admin', 'store_staff', 'support'] },
      schema: {
        tags: ['goods'],
        summary:
          "Fulfilments newest (or oldest) first, a page at a time: a store's work queue (store staff see their own store)",
        querystring: Type.Object({
          location_id: Type.Optional(Id),
          status: Type.Optional(
            Type.String({
              maxLength: 400,
              pattern: `^(${FULFILMENT_STATUSES.join('|')})(,(${FULFILMENT_STATUSES.join('|')}))*$`,
              description: `comma-separated statuses, each one of ${FULFILMENT_STATUSES.join(', ')}`,
              examples: ['allocated,picked'],
            }),
          ),
          order: Type.Optional(
            StringEnum(['newest', 'oldest'], { description: 'newest (default) or oldest first, e.g. a work queue' }),
          ),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(FulfilmentSchema),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      const location =
        req.principal.role === 'store_staff' ? (req.principal.locationId ?? undefined) : req.query.location_id;
      const status = req.query.status?.split(',');
      return listFulfilments(db, { ...req.query, location_id: location, status, limit: req.query.limit ?? 50 });
    },
  );

  app.get(
    '/fulfillments/:id',
    {
      config: own,
      schema: {
        tags: ['goods'],
        summary: 'One fulfilment with its lines, events and next statuses',
        params: IdParams,
        response: { 200: FulfilmentSchema, ...errors(404) },
      },
    },
    async (req) => {
      const f = await readFulfilment(db, req.params.id);
      if (!f) throw notFound('fulfilment', 'id');
      return f;
    },
  );

  app.post(
    '/fulfillments/:id/events',
    {
      config: own,
      schema: {
        tags: ['goods'],
        summary:
          'Advance a fulfilment (picked, packed, shipped, ready_for_pickup, ...); impossible transitions get 409',
        params: IdParams,
        body: Type.Object(
          { type: StringEnum(FULFILMENT_EVENTS), at: Type.Optional(Type.String({ format: 'date-time' })) },
          { additionalProperties: false, examples: [{ type: 'picked' }] },
        ),
        response: { 200: FulfilmentSchema, ...errors(404, 409) },
      },
    },
    async (req) =>
      recordEvent(ctx, req.principal, req.params.id, req.body.type, req.body.at ? new Date(req.body.at) : undefined),
  );

  app.post(
    '/fulfillments/:id/collect',
    {
      config: { ...own, roles: ['admin', 'store_staff'] },
      schema: {
        tags: ['goods'],
        summary:
          'Hand a pickup order over: the pickup code must match (422 otherwise; 5 wrong codes lock the pickup for 15 minutes: 429)',
        params: IdParams,
        body: Type.Object(
          { pickup_code: Type.String({ minLength: 1, maxLength: 20 }) },
          { additionalProperties: false, examples: [{ pickup_code: '482913' }] },
        ),
        response: { 200: FulfilmentSchema, ...errors(404, 409, 422, 429) },
      },
    },
    async (req) => collect(ctx, req.principal, req.params.id, req.body.pickup_code),
  );
};
