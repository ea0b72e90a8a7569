import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { forbidden, notFound } from '../../platform/http/errors';
import { Cursor, errors, StringEnum, Id, Limit } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { getOrder, listOrders, ORDER_CHANNELS } from './service';

const Line = Type.Object({ line_no: Type.Integer(), sku: Type.String(), qty: Type.Integer(), unit_price: Type.Integer(), discount: Type.Integer(), amount: Type.Integer() });
const OrderSchema = Type.Object({
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
  lines: Type.Optional(Type.Array(Line)),
});

const readers = ALL_ROLES.filter((r) => r !== 'marketer');

export const orderRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
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
        response: { 200: Type.Object({ items: Type.Array(OrderSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors() },
      },
    },
    async (req) => listOrders(db, req.principal, { ...req.query, limit: req.query.limit ?? 50 }),
  );
  app.get(
    '/orders/:id',
    { config: { roles: readers }, schema: { tags: ['goods'], params: Type.Object({ id: Id }), response: { 200: OrderSchema, ...errors(404) } } },
    async (req) => {
      const o = await getOrder(db, req.params.id);
      if (!o) throw notFound('order', 'id');
      if (req.principal.role === 'store_staff' && o.location_id !== req.principal.locationId) throw forbidden('this order belongs to another store');
      return o;
    },
  );
};
