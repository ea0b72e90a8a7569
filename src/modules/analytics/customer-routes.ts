import { Type, type TSchema } from '@sinclair/typebox';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { COHORT_DEFINITIONS, COHORT_PERIODS, cohortReport } from './cohorts';
import { CUSTOMER_DEFINITIONS, CUSTOMER_GROUP_BY, customerReport } from './customers';
import { STORE_DEFINITIONS, storeLeague, storeScorecard } from './stores';
import './customer-erasure';

const Day = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description, examples: ['2026-11-01'] });
const Range = {
  from: Day("first day (retailer's time zone)"),
  to: Day('last day, inclusive; at most 3 years after from'),
};

const BuyerGroup = Type.Object({
  customers: Type.Integer({ description: 'buyers in the group' }),
  net_sales: Type.Integer({
    description: 'gross − discounts − refunds of their sales and returns in the period (fen)',
  }),
  orders: Type.Integer(),
  aov: Type.Integer({ description: '(gross − discounts) / orders (fen)' }),
});
const CustomerFigures = {
  buyers: Type.Integer({ description: 'identified buyers (One ID roots) with a sale in the period' }),
  new: Type.Integer({ description: 'buyers whose first sale ever is in the period' }),
  returning: Type.Integer({ description: 'buyers who had bought before the period' }),
  repurchase_rate: Type.Number({ description: 'share of buyers with 2 or more sales in the period (0–1)' }),
  cross_channel: BuyerGroup,
  single_channel: BuyerGroup,
  members_recruited: Type.Integer({ description: "people first identified at a store's till in the period" }),
};

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const StoreFigures = {
  location_id: Type.String(),
  in_store_net_sales: Type.Integer({ description: "net sales at the store's till (fen)" }),
  in_store_orders: Type.Integer(),
  online_orders: Type.Object({
    pickup: Type.Integer(),
    hour: Type.Integer(),
    same_day: Type.Integer(),
    standard: Type.Integer(),
    total: Type.Integer(),
  }),
  o2o_net_sales: Type.Integer({ description: 'net sales of the online orders the store fulfils (fen)' }),
  median_pick_seconds: Nullable(Type.Integer({ description: 'allocated → ready for pickup or handed over (s)' })),
  median_ready_for_pickup_seconds: Nullable(Type.Integer({ description: 'placed → ready for pickup (s)' })),
  pickups_ended: Type.Integer(),
  pickup_no_shows: Type.Integer(),
  pickup_no_show_rate: Nullable(Type.Number()),
  hour_deliveries: Type.Integer(),
  hour_on_time: Type.Integer(),
  hour_delivery_on_time_rate: Nullable(Type.Number()),
  members_recruited: Type.Integer(),
  revenue_share: Type.Object(
    { orders: Type.Integer(), credits: Type.Integer(), reversals: Type.Integer(), net: Type.Integer() },
    { description: 'the share of the online orders it fulfilled, booked in the range (fen; reversals negative)' },
  ),
  footfall_recorded: Type.Boolean({ description: 'false: no footfall was counted in the range' }),
  footfall: Type.Integer({ description: 'visitors the people counters counted' }),
  footfall_conversion: Nullable(Type.Number({ description: 'in-store orders ÷ visitors' })),
};

export const customerAnalyticsRoutes: ModuleRoutes = (ctx) => async (app) => {
  const tz = ctx.config.timezone;

  app.get(
    '/analytics/customers',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'support'] },
      schema: {
        tags: ['analytics'],
        summary: 'New and returning buyers, repurchase rate, cross-channel buyers and members recruited per period',
        description:
          CUSTOMER_DEFINITIONS + ' Rows: every period of the range in date order (week keyed by its Monday).',
        querystring: Type.Object({
          ...Range,
          group_by: Type.Optional(StringEnum(CUSTOMER_GROUP_BY, { description: 'default day' })),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            group_by: Type.String(),
            totals: Type.Object(CustomerFigures),
            rows: Type.Array(Type.Object({ key: Type.String(), ...CustomerFigures })),
          }),
          ...errors(),
        },
      },
    },
    async (req) => customerReport(ctx.database.db, tz, req.query),
  );

  app.get(
    '/analytics/cohorts',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'support'] },
      schema: {
        tags: ['analytics'],
        summary: 'First-sale cohorts × periods since: active buyers, retention and net sales (fen)',
        description: COHORT_DEFINITIONS,
        querystring: Type.Object({
          ...Range,
          period: Type.Optional(StringEnum(COHORT_PERIODS, { description: 'default month' })),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            period: Type.String(),
            cohorts: Type.Array(
              Type.Object({
                cohort: Type.String(),
                customers: Type.Integer(),
                periods: Type.Array(
                  Type.Object({
                    index: Type.Integer(),
                    active: Type.Integer(),
                    retention: Type.Number(),
                    net_sales: Type.Integer(),
                  }),
                ),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (req) => cohortReport(ctx.database.db, req.query),
  );

  app.get(
    '/analytics/stores',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'store_staff', 'support'] },
      schema: {
        tags: ['analytics'],
        summary: "The stores' league table: in-store and O2O sales, fulfilment times and members recruited",
        description: STORE_DEFINITIONS + " Store staff see their own store's row only.",
        querystring: Type.Object(Range),
        response: {
          200: Type.Object({ from: Type.String(), to: Type.String(), stores: Type.Array(Type.Object(StoreFigures)) }),
          ...errors(),
        },
      },
    },
    async (req) =>
      storeLeague(ctx.database.db, tz, {
        ...req.query,
        location_id: req.principal.role === 'store_staff' ? (req.principal.locationId ?? '') : null,
      }),
  );

  app.get(
    '/stores/:id/scorecard',
    {
      config: {
        roles: ['admin', 'analyst', 'marketer', 'store_staff', 'support'],
        acts: { kind: 'location', param: 'id' },
      },
      schema: {
        tags: ['analytics'],
        summary:
          "A store's scorecard over a date range: sales, O2O fulfilment, timings, members recruited, footfall and conversion by hour",
        description: STORE_DEFINITIONS + ' Store staff: their own store only (another is 403).',
        params: Type.Object({ id: Id }),
        querystring: Type.Object(Range),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            ...StoreFigures,
            footfall_by_hour: Type.Array(
              Type.Object({
                hour: Type.Integer({ description: "hour of the day, the retailer's time zone" }),
                footfall: Type.Integer(),
                pos_orders: Type.Integer({ description: 'sales at the till placed in that hour' }),
                conversion: Nullable(Type.Number({ description: 'pos_orders ÷ footfall' })),
              }),
              { description: '24 rows, hour 0 to 23' },
            ),
          }),
          ...errors(),
        },
      },
    },
    async (req) => storeScorecard(ctx.database.db, tz, req.params.id, req.query),
  );
};
