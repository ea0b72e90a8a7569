import { Type } from '@sinclair/typebox';
import { errors } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { findCustomer } from '../customers/public';
import { routingLocations } from '../locations/public';
import { quoteFulfilment } from '../orders/plan'; // not through public.ts: plan → loyalty → orders/public is a cycle
import { AdjustmentSchema, PlaceOrderBody } from '../orders/public';
import { quote } from './quote';
import { assertOwnChannel } from '../../platform/auth/channel';

const Int = Type.Integer();
const Str = Type.String();
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const QuoteSchema = Type.Object({
  channel: Str,
  customer_id: Nullable(Str),
  currency: Str,
  lines: Type.Array(
    Type.Object({
      line_no: Int,
      sku: Str,
      name: Str,
      category: Str,
      qty: Int,
      unit_price: Int,
      subtotal: Int,
      coupon_discount: Int,
      points_used: Int,
      points_discount: Int,
      discount: Int,
      amount: Int,
    }),
  ),
  coupons: Type.Array(
    Type.Object({
      code: Str,
      template_id: Nullable(Str),
      name: Nullable(Str),
      kind: Nullable(Str),
      applied: Type.Boolean(),
      discount: Int,
      lines: Type.Array(Int),
      reason: Type.Optional(Str),
      message: Type.Optional(Str),
    }),
  ),
  points: Type.Object({
    requested: Int,
    applied: Int,
    value: Int,
    balance: Type.Union([Int, Type.Null()]),
    max_usable: Int,
    step: Int,
  }),
  adjustments: Type.Array(AdjustmentSchema),
  totals: Type.Object({
    subtotal: Int,
    coupon_discount: Int,
    points_discount: Int,
    discount: Int,
    delivery_fee: Int,
    total: Int,
    points_used: Int,
  }),
  issues: Type.Array(Type.Object({ status: Int, code: Str, field: Str, message: Str }), {
    description: 'what POST /v1/orders would refuse in this request, with the status and field it would answer',
  }),
});

export const pricingRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.post(
    '/quote',
    {
      config: { roles: ['admin', 'store_staff', 'integration', 'support', 'marketer'], idempotent: false },
      schema: {
        tags: ['goods'],
        summary: 'Price an order without reserving or spending anything',
        description:
          'Takes the body of POST /v1/orders and prices it with the same engine: list price × qty (the same for every customer), coupons, points, delivery fee; explains every adjustment.',
        body: PlaceOrderBody,
        response: { 200: QuoteSchema, ...errors(422) },
      },
    },
    async (req) => {
      const input = req.body;
      const p = req.principal;
      assertOwnChannel(p, input.channel, 'prices orders');
      const served = quoteFulfilment(input.fulfillment, await routingLocations(db));
      const customerId = input.customer ? await findCustomer(ctx.database, ctx.keys, input.customer) : null;
      const q = await quote(db, {
        channel: input.channel,
        customerId,
        lines: input.lines,
        fulfillment: served,
        coupon_codes: input.coupon_codes,
        points: input.points,
        withBalance: true,
      });
      return { channel: input.channel, customer_id: customerId, currency: ctx.config.currency, ...q };
    },
  );
};
