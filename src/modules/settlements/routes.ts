import { Type } from '@sinclair/typebox';
import { wantsCsv } from '../../platform/http/csv';
import { forbidden } from '../../platform/http/errors';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import {
  BASES,
  closePeriod,
  getRevenueShare,
  itemsCsv,
  PERIOD_PATTERN,
  periodOf,
  setRevenueShare,
  statement,
  statementItems,
} from './service';

const HOW =
  'An online order that one store fulfils (collected there, or delivered from there) credits the store ' +
  'round(percent × basis) fen when it completes; basis = net sales (paid for the lines, discounts off, no delivery ' +
  'fee) or margin (net sales − cost_price × units; a line without cost_price is settled on its net sales and the ' +
  'entry flagged cost_missing). A return reverses the credit for the returned units, dated by the return. Entries ' +
  "belong to the calendar month (retailer's time zone) of their date, or to the next open month when that one is closed.";

const Period = Type.String({
  pattern: PERIOD_PATTERN,
  description: "calendar month, retailer's time zone",
  examples: ['2026-11'],
});

const ShareSchema = Type.Object(
  {
    percent: Type.Number({ minimum: 0, maximum: 100, description: 'percent of the basis credited (≤ 2 decimals)' }),
    basis: StringEnum(BASES, { description: 'margin (net sales − cost × units) or net_sales' }),
  },
  { additionalProperties: false, examples: [{ percent: 30, basis: 'margin' }] },
);

const StoreRow = Type.Object({
  location_id: Type.String(),
  orders: Type.Integer({ description: 'distinct orders listed in the store’s statement' }),
  credits: Type.Integer({ description: 'fen' }),
  reversals: Type.Integer({ description: 'fen, negative' }),
  net: Type.Integer({ description: 'credits + reversals (fen)' }),
  flagged: Type.Integer({ description: 'entries settled on the cost fallback (cost_missing)' }),
});
const { location_id: _omit, ...totalsFields } = StoreRow.properties;

const StatementSchema = Type.Object({
  period: Type.String(),
  status: StringEnum(['open', 'closed'] as const),
  closed_at: Type.Union([Type.String(), Type.Null()]),
  closed_by: Type.Union([Type.String(), Type.Null()], { description: 'name of the key that closed it, or cli' }),
  early: Type.Union([Type.Boolean(), Type.Null()], { description: 'closed before the month ended' }),
  currency: Type.String(),
  timezone: Type.String(),
  stores: Type.Array(StoreRow),
  totals: Type.Object(totalsFields),
});

const Item = Type.Object({
  order_id: Type.String(),
  return_id: Type.Union([Type.String(), Type.Null()]),
  kind: StringEnum(['credit', 'reversal'] as const),
  basis_kind: StringEnum(BASES),
  percent: Type.Number(),
  basis: Type.Integer({ description: 'signed basis (fen): negative for a reversal' }),
  amount: Type.Integer({ description: 'signed amount (fen)' }),
  cost_missing: Type.Boolean({ description: 'a line had no cost_price: settled on its net sales' }),
  at: Type.String({ description: 'completion or return time' }),
});

export const settlementRoutes: ModuleRoutes = (ctx) => async (app) => {
  const database = ctx.database;
  const db = database.db;
  const tz = ctx.config.timezone;
  const opts = { timezone: tz, currency: ctx.config.currency };

  app.get(
    '/settings/revenue-share',
    {
      config: { roles: ['admin', 'analyst', 'store_staff'] },
      schema: {
        tags: ['settlements'],
        summary: "The stores' revenue share of the online orders they fulfil",
        description: HOW,
        response: { 200: ShareSchema, ...errors() },
      },
    },
    async () => getRevenueShare(db),
  );

  app.put(
    '/settings/revenue-share',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['settlements'],
        summary: 'Set the revenue share (applies to credits booked from now on; audited)',
        description: HOW,
        body: ShareSchema,
        response: { 200: ShareSchema, ...errors(422) },
      },
    },
    async (req) => setRevenueShare(database, req.principal, req.body),
  );

  app.get(
    '/settlements',
    {
      config: { roles: ['admin', 'analyst', 'store_staff'] },
      schema: {
        tags: ['settlements'],
        summary: "A month's settlement statement: per store the orders, credits, reversals and net (fen)",
        description: HOW + " Store staff see their own store's row only. Without period: the current month.",
        querystring: Type.Object({ period: Type.Optional(Period) }),
        response: { 200: StatementSchema, ...errors() },
      },
    },
    async (req) => {
      const period = req.query.period ?? periodOf(new Date(), tz);
      const own = req.principal.role === 'store_staff' ? (req.principal.locationId ?? '-') : undefined;
      return statement(db, opts, period, own);
    },
  );

  app.get(
    '/settlements/:period/:location_id',
    {
      config: { roles: ['admin', 'analyst', 'store_staff'], acts: { kind: 'location', param: 'location_id' } },
      schema: {
        tags: ['settlements'],
        summary: "A store's statement for a month, entry by entry (signed amounts summing to net; Accept: text/csv)",
        description:
          HOW +
          ' CSV columns: order_id, return_id, kind, basis_kind, percent, basis, amount, cost_missing, at. Store staff: their own store only.',
        params: Type.Object({ period: Period, location_id: Id }),
        response: {
          200: Type.Object({
            period: Type.String(),
            location_id: Type.String(),
            status: StringEnum(['open', 'closed'] as const),
            net: Type.Integer({ description: 'Σ amount (fen)' }),
            items: Type.Array(Item),
          }),
          ...errors(),
        },
      },
    },
    async (req, reply) => {
      const { period, location_id } = req.params;
      if (req.principal.role === 'store_staff' && req.principal.locationId !== location_id)
        throw forbidden("store staff read their own store's statements only");
      const r = await statementItems(db, period, location_id);
      if (!wantsCsv(req.headers.accept)) return r;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="settlement-${period}-${location_id}.csv"`)
        .send(itemsCsv(r.items) as never);
    },
  );

  app.post(
    '/settlements/:period/close',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['settlements'],
        summary: 'Close a month: its statement never changes; later entries dated in it go to the next open month',
        description:
          'Takes Idempotency-Key. A month that has not ended yet closes only with {"early": true}. Records who closed it. ' +
          '409 period_closed when it is closed already.',
        params: Type.Object({ period: Period }),
        body: Type.Optional(
          Type.Object(
            { early: Type.Optional(Type.Boolean({ description: 'close a month that has not ended yet' })) },
            { additionalProperties: false, examples: [{ early: true }] },
          ),
        ),
        response: { 200: StatementSchema, ...errors(409, 422) },
      },
    },
    async (req) => {
      const period = req.params.period;
      await closePeriod(
        database,
        tz,
        period,
        { principal: req.principal, name: req.principal.name },
        !!req.body?.early,
      );
      return statement(db, opts, period);
    },
  );
};
