import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { dashboard } from './dashboard';
import { COMPARE, DEFINITIONS, GROUP_BY, salesCsv, salesReport } from './sales';
import './erasure';
import { wantsCsv } from '../../platform/http/csv';

const Day = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description, examples: ['2026-11-01'] });

const Figures = {
  gross_sales: Type.Integer({ description: 'Σ list price × qty of the sales (fen)' }),
  discounts: Type.Object({
    coupons: Type.Integer({ description: 'coupon discounts (fen)' }),
    points: Type.Integer({ description: 'points discounts (fen)' }),
  }),
  refunds: Type.Integer({ description: 'refunded by returns, dated by the return (fen)' }),
  net_sales: Type.Integer({ description: 'gross − discounts − refunds (fen)' }),
  orders: Type.Integer(),
  units: Type.Integer({ description: 'units sold − units returned' }),
  customers: Type.Integer({ description: 'distinct identified buyers' }),
  aov: Type.Integer({ description: '(gross − discounts) / orders (fen)' }),
};
const FiguresSchema = Type.Object(Figures);
const PeriodSchema = {
  from: Type.String(),
  to: Type.String(),
  totals: FiguresSchema,
  rows: Type.Array(Type.Object({ key: Type.String(), ...Figures })),
};

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
        summary: "Today's and the last 30 days' net sales (fen), orders and customers by channel",
        description:
          'From the sales rollups, as GET /v1/analytics/sales: sales = net_sales, average_order_value = aov, ' +
          'customers = distinct identified buyers. ' +
          DEFINITIONS,
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

  app.get(
    '/analytics/sales',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'store_staff', 'support'] },
      schema: {
        tags: ['analytics'],
        summary: 'Sales figures (fen) over a date range by period, channel, store, category, fulfilment or SKU',
        description:
          DEFINITIONS +
          ' Rows: by period in date order (every period of the range, empty ones as zeros; week = ISO week keyed by its ' +
          'Monday), otherwise by net_sales descending, at most `limit`. compare=previous_period is the same number of ' +
          'days just before `from`; previous_year the same dates a year earlier. With `Accept: text/csv` the rows are ' +
          'sent as CSV (key, gross_sales, coupons, points, refunds, net_sales, orders, units, customers, aov). ' +
          "Store staff see their own store's figures only.",
        querystring: Type.Object({
          from: Day("first day (retailer's time zone)"),
          to: Day('last day, inclusive; at most 3 years after from'),
          group_by: Type.Optional(StringEnum(GROUP_BY, { description: 'default day' })),
          channel: Type.Optional(StringEnum(CHANNELS)),
          location_id: Type.Optional(Id),
          compare: Type.Optional(StringEnum(COMPARE)),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        }),
        response: {
          200: Type.Object({
            currency: Type.String(),
            timezone: Type.String(),
            ...PeriodSchema,
            compare: Type.Optional(Type.Object(PeriodSchema)),
          }),
          ...errors(),
        },
      },
    },
    async (req, reply) => {
      const locationId = req.principal.role === 'store_staff' ? req.principal.locationId : req.query.location_id;
      const report = await salesReport(
        ctx.database.db,
        { timezone: ctx.config.timezone, currency: ctx.config.currency },
        { ...req.query, location_id: locationId },
      );
      if (!wantsCsv(req.headers.accept)) return report;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="sales-${report.from}-${report.to}.csv"`)
        .send(Readable.from(salesCsv(report)) as never);
    },
  );
};
