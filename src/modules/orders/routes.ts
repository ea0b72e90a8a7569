import { Type } from '@sinclair/typebox';
import { ALL_ROLES, type Principal } from '../../platform/auth/roles';
import { personalDataExport } from '../../platform/audit/bulk';
import { wantsCsv } from '../../platform/http/csv';
import { keyInWrite } from '../../platform/idempotency/idempotency';
import { badRequest, notFound, unprocessable } from '../../platform/http/errors';
import { Cursor, Day, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { registerErasureStep } from '../customers/public';
import { namesFor } from '../customers/public';
import { customerIdsOf, EXPORT_MAX, OrderListItem, ordersCsv } from './list-export';
import { anonymiseOrders } from './erasure';
import { cancelOrder, payOrder } from './lifecycle';
import { placeOrder } from './place-order';
import { createReturn, listReturns } from './returns';
import { CancelBody, OrderDetailSchema, PayBody, PlaceOrderBody, ReturnBody, ReturnSchema } from './schemas';
import { listOrders, ORDER_CHANNELS, ORDER_STATUSES } from './service';
import { HIDDEN_TEXT, mayReadFreeText, readOrderDetail, type OrderDetail } from './view';

const readers = ALL_ROLES.filter((r) => r !== 'marketer');
const sellers = ['admin', 'store_staff', 'integration', 'support'] as const;
const IdParams = Type.Object({ id: Id });
const ownOrder = { kind: 'order', param: 'id' } as const;

/** The pickup code proves the customer at the counter: only the app that shows it to them (its channel) and admins get it. */
function shownTo(p: Principal, o: OrderDetail): OrderDetail {
  if (o.pickup_code && p.role !== 'admin' && p.role !== 'integration') delete o.pickup_code;
  return o;
}

registerErasureStep('orders', anonymiseOrders);

export const orderRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  const tz = ctx.config.timezone;

  app.post(
    '/orders',
    {
      // Its only effect is the order's write, which stores the Idempotency-Key with the answer.
      config: { roles: sellers, scope: 'orders', recordsIdempotency: true },
      schema: {
        tags: ['goods'],
        summary: 'Place an order from any channel (takes Idempotency-Key)',
        description:
          'Prices, routes and reserves (online) or sells (in store). 409 insufficient_stock names the line and lists alternatives.',
        body: PlaceOrderBody,
        response: { 201: OrderDetailSchema, ...errors(409, 422) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await placeOrder(ctx, req.principal, req.body, new Date(), keyInWrite(req, reply))),
  );

  app.get(
    '/orders',
    {
      config: { roles: readers, scope: 'orders' },
      schema: {
        tags: ['goods'],
        summary: 'Orders, newest first (store staff: their store; integration keys: their channel)',
        description:
          "With the customer's name as the caller's role may see it (admins in full, support and store staff masked, " +
          `others none). With \`Accept: text/csv\` every matching order (at most ${EXPORT_MAX}) as CSV, cursor and limit ` +
          'ignored; an export with names is recorded in the audit log and counted by the bulk-access guard.',
        querystring: Type.Object({
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              pattern: '^[A-Za-z0-9_.:-]+$',
              description: 'an order id or its start',
            }),
          ),
          from: Type.Optional(Day("placed on or after this day (retailer's time zone)")),
          to: Type.Optional(Day("placed on or before this day (retailer's time zone)")),
          customer_id: Type.Optional(Id),
          channel: Type.Optional(StringEnum(ORDER_CHANNELS)),
          location_id: Type.Optional(Id),
          status: Type.Optional(StringEnum(ORDER_STATUSES)),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(OrderListItem),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(422, 429),
        },
      },
    },
    async (req, reply) => {
      if (req.query.from && req.query.to && req.query.from > req.query.to) throw badRequest('from is after to', 'from');
      const csv = wantsCsv(req.headers.accept);
      const limit = csv ? EXPORT_MAX + 1 : (req.query.limit ?? 50);
      const found = await listOrders(db, req.principal, tz, {
        ...req.query,
        cursor: csv ? undefined : req.query.cursor,
        limit,
      });
      const names = await namesFor(db, ctx.keys, req.principal, customerIdsOf(found.items));
      const items = found.items.map((o) => ({
        ...o,
        customer_name: o.customer_id ? (names.get(o.customer_id) ?? null) : null,
      }));
      if (!csv) return { items, next_cursor: found.next_cursor };
      if (items.length > EXPORT_MAX)
        throw unprocessable('export_too_large', `more than ${EXPORT_MAX} orders match: narrow the dates`, 'from');
      const named = items.filter((o) => o.customer_name !== null).length;
      if (named > 0)
        await personalDataExport(
          db,
          ctx.config,
          req.principal,
          { action: 'order.export', details: { orders: items.length } },
          named,
        );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="orders.csv"')
        .send(ordersCsv(items) as never); // CSV text, not serialised by the JSON schema
    },
  );

  app.get(
    '/orders/:id',
    {
      config: { roles: readers, scope: 'orders', acts: ownOrder },
      schema: {
        tags: ['goods'],
        summary: 'One order with lines, allocations and the routing explanation',
        params: IdParams,
        response: { 200: OrderDetailSchema, ...errors(404) },
      },
    },
    async (req) => {
      const o = await readOrderDetail(db, req.params.id, req.principal);
      if (!o) throw notFound('order', 'id');
      return shownTo(req.principal, o);
    },
  );

  app.post(
    '/orders/:id/pay',
    {
      config: { roles: ['admin', 'integration', 'store_staff'], scope: 'orders', acts: ownOrder },
      schema: {
        tags: ['goods'],
        summary: 'Confirm payment: reserved stock becomes sold',
        params: IdParams,
        body: PayBody,
        response: { 200: OrderDetailSchema, ...errors(404, 409) },
      },
    },
    async (req) =>
      shownTo(req.principal, await payOrder(ctx, req.params.id, req.body.payment_ref, req.body.payment_method)),
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { roles: ['admin', 'integration', 'store_staff', 'support'], scope: 'orders', acts: ownOrder },
      schema: {
        tags: ['goods'],
        summary: 'Cancel: releases reservations or puts stock back',
        params: IdParams,
        body: CancelBody,
        response: { 200: OrderDetailSchema, ...errors(404, 409) },
      },
    },
    async (req) => shownTo(req.principal, await cancelOrder(ctx, req.params.id, req.body?.reason)),
  );

  app.post(
    '/orders/:id/returns',
    {
      config: { roles: ['admin', 'store_staff', 'support', 'integration'], scope: 'orders', acts: ownOrder },
      schema: {
        tags: ['goods'],
        summary: 'Return units: restock at the location and refund what was paid for them',
        params: IdParams,
        body: ReturnBody,
        response: { 201: ReturnSchema, ...errors(404, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createReturn(ctx, req.principal, req.params.id, req.body)),
  );

  app.get(
    '/orders/:id/returns',
    {
      config: { roles: readers, scope: 'orders', acts: ownOrder },
      schema: {
        tags: ['goods'],
        summary: "An order's returns",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(ReturnSchema) }), ...errors(404) },
      },
    },
    async (req) => {
      const items = await listReturns(ctx, req.params.id);
      return { items: mayReadFreeText(req.principal) ? items : items.map((r) => ({ ...r, reason: HIDDEN_TEXT })) };
    },
  );
};
