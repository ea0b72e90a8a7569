import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { forbidden, notFound } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { registerErasureStep } from '../customers/erasure-steps';
import { anonymiseOrders } from './erasure';
import { cancelOrder, payOrder } from './lifecycle';
import { placeOrder } from './place';
import { createReturn, listReturns } from './returns';
import { OrderDetailSchema, PlaceOrderBody, ReturnBody, ReturnSchema } from './schemas';
import { listOrders, ORDER_CHANNELS } from './service';
import { readOrderDetail } from './view';

const Summary = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  customer_id: Type.Union([Type.String(), Type.Null()]),
  location_id: Type.Union([Type.String(), Type.Null()]),
  fulfillment_type: Type.String(),
  status: Type.String(),
  currency: Type.String(),
  totals: Type.Object({ subtotal: Type.Integer(), discount: Type.Integer(), delivery_fee: Type.Integer(), total: Type.Integer() }),
  placed_at: Type.String(),
  paid_at: Type.Union([Type.String(), Type.Null()]),
});

const readers = ALL_ROLES.filter((r) => r !== 'marketer');
const sellers = ['admin', 'store_staff', 'integration', 'support'] as const;
const IdParams = Type.Object({ id: Id });

registerErasureStep('orders', anonymiseOrders);

export const orderRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/orders',
    {
      config: { roles: sellers },
      schema: {
        tags: ['goods'],
        summary: 'Place an order from any channel (takes Idempotency-Key)',
        description: 'Prices, routes and reserves (online) or sells (in store). 409 insufficient_stock names the line and lists alternatives.',
        body: PlaceOrderBody,
        response: { 201: OrderDetailSchema, ...errors(409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await placeOrder(ctx, req.principal, req.body)),
  );

  app.get(
    '/orders',
    {
      config: { roles: readers },
      schema: {
        tags: ['goods'],
        querystring: Type.Object({
          customer_id: Type.Optional(Id),
          channel: Type.Optional(StringEnum(ORDER_CHANNELS)),
          location_id: Type.Optional(Id),
          status: Type.Optional(Type.String({ maxLength: 40 })),
          cursor: Cursor,
          limit: Limit,
        }),
        response: { 200: Type.Object({ items: Type.Array(Summary), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors() },
      },
    },
    async (req) => listOrders(db, req.principal, { ...req.query, limit: req.query.limit ?? 50 }),
  );

  app.get(
    '/orders/:id',
    { config: { roles: readers }, schema: { tags: ['goods'], summary: 'One order with lines, allocations and the routing explanation', params: IdParams, response: { 200: OrderDetailSchema, ...errors(404) } } },
    async (req) => {
      const o = await readOrderDetail(db, req.params.id);
      if (!o) throw notFound('order', 'id');
      if (req.principal.role === 'store_staff' && !o.allocations.some((a) => a.location_id === req.principal.locationId) && o.location_id !== req.principal.locationId) {
        throw forbidden('this order belongs to another store');
      }
      // The pickup code proves the customer at the counter: only the app that shows it to them and admins get it.
      if (o.pickup_code && req.principal.role !== 'admin' && req.principal.role !== 'integration') delete o.pickup_code;
      return o;
    },
  );

  app.post(
    '/orders/:id/pay',
    {
      config: { roles: ['admin', 'integration', 'store_staff'] },
      schema: { tags: ['goods'], summary: 'Confirm payment: reserved stock becomes sold', params: IdParams, body: Type.Object({ payment_ref: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }), response: { 200: OrderDetailSchema, ...errors(404, 409) } },
    },
    async (req) => payOrder(ctx, req.params.id, req.body.payment_ref),
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { roles: ['admin', 'integration', 'store_staff', 'support'] },
      schema: { tags: ['goods'], summary: 'Cancel: releases reservations or puts stock back', params: IdParams, body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false })), response: { 200: OrderDetailSchema, ...errors(404, 409) } },
    },
    async (req) => cancelOrder(ctx, req.params.id, req.body?.reason),
  );

  app.post(
    '/orders/:id/returns',
    {
      config: { roles: ['admin', 'store_staff', 'support', 'integration'] },
      schema: { tags: ['goods'], summary: 'Return units: restock at the location and refund what was paid for them', params: IdParams, body: ReturnBody, response: { 201: ReturnSchema, ...errors(404, 409, 422) } },
    },
    async (req, reply) => reply.code(201).send(await createReturn(ctx, req.principal, req.params.id, req.body)),
  );

  app.get(
    '/orders/:id/returns',
    { config: { roles: readers }, schema: { tags: ['goods'], params: IdParams, response: { 200: Type.Object({ items: Type.Array(ReturnSchema) }), ...errors(404) } } },
    async (req) => ({ items: await listReturns(ctx, req.params.id) }),
  );
};
