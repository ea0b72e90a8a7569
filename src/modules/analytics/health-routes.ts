import { Type } from '@sinclair/typebox';
import { errors, Id } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { COUPON_DEFINITIONS, couponReport } from './coupons';
import { INVENTORY_DEFINITIONS, inventoryHealth } from './inventory';

/** Coupon ROI and inventory health (issue 14): GET /v1/analytics/coupons and /v1/analytics/inventory. */

const Day = (description: string) =>
  Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description, examples: ['2026-11-01'] });
const Rate = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

const CouponFigures = {
  issued: Type.Integer({ description: 'coupons issued in the range' }),
  redeemed: Type.Integer({ description: 'redemptions in the range (checkout ones on sales only)' }),
  redemption_rate: Rate('redeemed / issued (null when none was issued)'),
  discount: Type.Integer({ description: 'Σ fen taken off by the redemptions: the cost' }),
  orders: Type.Integer({ description: 'sales that used the template at checkout' }),
  net_sales: Type.Integer({ description: 'net sales of those orders (fen)' }),
  roi: Rate('net_sales / discount (null without discount)'),
};

const StockItem = Type.Object({
  location_id: Type.String(),
  sku: Type.String(),
  name: Type.String({ description: 'product name' }),
  on_hand: Type.Integer(),
  online_available: Type.Integer({ description: 'max(0, on hand − reserved − safety stock)' }),
  units_28d: Type.Integer({ description: 'units sold − returned over the 28 days' }),
  avg_daily_units: Type.Number(),
  days_of_cover: Rate('on hand ÷ average daily units'),
});

const SlowMover = Type.Object({
  location_id: Type.String(),
  sku: Type.String(),
  name: Type.String({ description: 'product name' }),
  on_hand: Type.Integer(),
  stock_value: Type.Integer({ description: 'on hand × list price (fen)' }),
});

export const analyticsHealthRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.get(
    '/analytics/coupons',
    {
      config: { roles: ['admin', 'analyst', 'marketer'] },
      schema: {
        tags: ['analytics'],
        summary:
          'Coupon ROI per template over a date range: issued, redeemed, redemption rate, discount cost, net sales',
        description: COUPON_DEFINITIONS,
        querystring: Type.Object({
          from: Day("first day (retailer's time zone)"),
          to: Day('last day, inclusive; at most 3 years after from'),
        }),
        response: {
          200: Type.Object({
            currency: Type.String(),
            timezone: Type.String(),
            from: Type.String(),
            to: Type.String(),
            totals: Type.Object(CouponFigures),
            templates: Type.Array(
              Type.Object({
                template_id: Type.String(),
                name: Type.String(),
                kind: Type.String(),
                status: Type.String(),
                ...CouponFigures,
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async (req) =>
      couponReport(ctx.database.db, { timezone: ctx.config.timezone, currency: ctx.config.currency }, req.query),
  );

  app.get(
    '/analytics/inventory',
    {
      config: { roles: ['admin', 'analyst', 'marketer', 'store_staff', 'support'] },
      schema: {
        tags: ['analytics'],
        summary:
          'Inventory health: stock-out rate now and over 28 days, days of cover, turnover, low stock, slow movers',
        description: INVENTORY_DEFINITIONS + " Store staff see their own store's figures only.",
        querystring: Type.Object({ location_id: Type.Optional(Id) }),
        response: {
          200: Type.Object({
            timezone: Type.String(),
            as_of: Type.String({ description: "today, the retailer's time zone" }),
            location_id: Type.Union([Type.String(), Type.Null()]),
            window_days: Type.Integer(),
            stock_out: Type.Object({
              now: Type.Object({
                pairs: Type.Integer({ description: 'SKU × location pairs sold in the 28 days' }),
                out: Type.Integer({ description: 'of them with 0 online-available now' }),
                rate: Rate('out / pairs'),
              }),
              last_28_days: Type.Object({
                snapshot_days: Type.Integer(),
                pair_days: Type.Integer(),
                out_days: Type.Integer(),
                rate: Rate('out_days / pair_days'),
              }),
              history: Type.Array(
                Type.Object({
                  day: Type.String(),
                  pairs: Type.Integer(),
                  out: Type.Integer(),
                  rate: Rate('out / pairs'),
                }),
              ),
            }),
            on_hand: Type.Integer(),
            units_28d: Type.Integer(),
            days_of_cover: Rate('on hand ÷ average daily units over the 28 days'),
            turnover: Rate('units over the 28 days ÷ average on hand in the snapshots'),
            low_stock_count: Type.Integer(),
            low_stock: Type.Array(StockItem),
            slow_movers_count: Type.Integer(),
            slow_movers: Type.Array(SlowMover),
          }),
          ...errors(),
        },
      },
    },
    async (req) => {
      // Store staff see their own store only.
      const locationId = req.principal.role === 'store_staff' ? req.principal.locationId : req.query.location_id;
      return inventoryHealth(ctx.database.db, { timezone: ctx.config.timezone }, { location_id: locationId ?? null });
    },
  );
};
