import { Type } from '@sinclair/typebox';
import type { Role } from '../../platform/auth/roles';
import { forbidden, notFound } from '../../platform/http/errors';
import { Cursor, errors, FreeText, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { cancelTransfer, createTransfer, getTransfer, listTransfers, receiveTransfer, shipTransfer } from './service';
import { TRANSFER_ORIGINS, TRANSFER_STATUSES } from './tables';

const readers: Role[] = ['admin', 'analyst', 'support', 'store_staff'];
const writers: Role[] = ['admin', 'store_staff'];

export const TransferSchema = Type.Object({
  id: Type.String(),
  from_location_id: Type.String(),
  to_location_id: Type.String(),
  status: StringEnum(TRANSFER_STATUSES),
  origin: StringEnum(TRANSFER_ORIGINS),
  note: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(
    Type.Object({ sku: Type.String(), name: Type.Union([Type.String(), Type.Null()]), qty: Type.Integer() }),
  ),
  requested_at: Type.String(),
  shipped_at: Type.Union([Type.String(), Type.Null()]),
  received_at: Type.Union([Type.String(), Type.Null()]),
  cancelled_at: Type.Union([Type.String(), Type.Null()]),
});

const TransferBody = Type.Object(
  {
    from_location_id: Id,
    to_location_id: Id,
    lines: Type.Array(
      Type.Object(
        {
          sku: Type.String({ minLength: 1, maxLength: 64 }),
          qty: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    origin: Type.Optional(StringEnum(TRANSFER_ORIGINS, { description: 'what asked for it (default manual)' })),
    note: Type.Optional(FreeText(500)),
  },
  {
    additionalProperties: false,
    examples: [{ from_location_id: 'dc1', to_location_id: 'near', lines: [{ sku: 'MILK', qty: 24 }] }],
  },
);

const IdParams = Type.Object({ id: Id });

export const transferRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/transfers',
    {
      config: { roles: writers, idempotent: true },
      schema: {
        tags: ['goods'],
        summary: 'Request a transfer (调拨) of stock from one location to another',
        description: 'Store staff: to or from their own store (403 otherwise). Nothing moves until it is shipped.',
        body: TransferBody,
        response: { 201: TransferSchema, ...errors(403, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createTransfer(db, req.principal, req.body)),
  );

  app.get(
    '/transfers',
    {
      config: { roles: readers },
      schema: {
        tags: ['goods'],
        summary: 'Transfers, newest first (store staff: their store’s only)',
        querystring: Type.Object({
          status: Type.Optional(StringEnum(TRANSFER_STATUSES)),
          location_id: Type.Optional(Id),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(TransferSchema),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(400),
        },
      },
    },
    async (req) => listTransfers(db, req.principal, { ...req.query, limit: req.query.limit ?? 50 }),
  );

  app.get(
    '/transfers/:id',
    {
      config: { roles: readers },
      schema: {
        tags: ['goods'],
        summary: 'One transfer with its lines',
        params: IdParams,
        response: { 200: TransferSchema, ...errors(403, 404) },
      },
    },
    async (req) => {
      const t = await getTransfer(db, req.params.id);
      if (!t) throw notFound('transfer', 'id');
      const own = req.principal.locationId;
      if (req.principal.role === 'store_staff' && t.from_location_id !== own && t.to_location_id !== own)
        throw forbidden('store staff may only read their own store’s transfers');
      return t;
    },
  );

  const actions = [
    ['ship', shipTransfer, 'Ship: the source’s on hand goes down, the destination’s in transit up (source staff)'],
    ['receive', receiveTransfer, 'Receive: in transit becomes the destination’s on hand (destination staff)'],
    ['cancel', cancelTransfer, 'Cancel a requested transfer (staff of either store)'],
  ] as const;
  for (const [action, run, summary] of actions)
    app.post(
      `/transfers/:id/${action}`,
      {
        config: { roles: writers, idempotent: true },
        schema: {
          tags: ['goods'],
          summary,
          description:
            '409 transfer_state when the transfer is not in the state this needs; ship: 409 transfer_stock_short when the source cannot give a line without its reserved or safety stock.',
          params: IdParams,
          response: { 200: TransferSchema, ...errors(403, 404, 409) },
        },
      },
      async (req) => run(db, req.principal, req.params.id),
    );
};
