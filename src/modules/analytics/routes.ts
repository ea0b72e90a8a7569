import { Type } from '@sinclair/typebox';
import { errors, Id } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { dashboard } from './dashboard';

const Channel = Type.Object({
  channel: Type.String(),
  sales: Type.Integer(),
  orders: Type.Integer(),
  customers: Type.Integer(),
});
const Period = Type.Object({
  from: Type.String(),
  to: Type.String(),
  totals: Type.Object({
    sales: Type.Integer(),
    orders: Type.Integer(),
    customers: Type.Integer(),
    average_order_value: Type.Integer(),
  }),
  by_channel: Type.Array(Channel),
});

export const analyticsRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.get(
    '/analytics/dashboard',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'store_staff', 'support'] },
      schema: {
        tags: ['analytics'],
        summary: "Today's and the last 30 days' sales (fen), orders and customers by channel",
        querystring: Type.Object({ location_id: Type.Optional(Id) }),
        response: {
          200: Type.Object({
            timezone: Type.String(),
            currency: Type.String(),
            today: Period,
            last_30_days: Period,
            daily: Type.Array(
              Type.Object({
                date: Type.String(),
                channel: Type.String(),
                sales: Type.Integer(),
                orders: Type.Integer(),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      // Store staff see their own store's figures only.
      const locationId = req.principal.role === 'store_staff' ? req.principal.locationId : req.query.location_id;
      return dashboard(ctx.database.db, { timezone: ctx.config.timezone, currency: ctx.config.currency, locationId });
    },
  );
};
