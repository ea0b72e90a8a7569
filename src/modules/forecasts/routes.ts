import { Type } from '@sinclair/typebox';
import { audit } from '../../platform/audit/audit';
import { transact } from '../../platform/db/transaction';
import { notFound } from '../../platform/http/errors';
import { Day, errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { createForecastEvent, deleteForecastEvent, listForecastEvents, updateForecastEvent } from './events';
import { dailyForecast } from './public';
import { DEFAULT_HORIZON_DAYS, forecastRun, forecastRunParams, MAX_HORIZON_DAYS, startForecastRun } from './runs';
import { CHAIN } from './tables';

const READ = ['admin', 'marketer', 'analyst', 'store_staff'] as const;
const RUN = ['admin', 'analyst'] as const;
const EVENTS_WRITE = ['admin', 'marketer'] as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Sku = Type.String({ minLength: 1, maxLength: 100 });

const RunSchema = Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'done', 'failed'] as const),
  history_end: Type.String({
    format: 'date',
    description: 'the last day of history; the forecast starts the day after',
  }),
  horizon_days: Type.Integer(),
  series: Nullable(Type.Integer({ description: 'series forecast (SKU × store and SKU chain totals), once done' })),
  error: Nullable(Type.String()),
  started_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
});

const EventKind = StringEnum(['campaign', 'presale', 'holiday'] as const);
const EventBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: EventKind,
    starts_on: Day('first day, inclusive'),
    ends_on: Day('last day, inclusive'),
    uplift: Type.Number({
      exclusiveMinimum: 0,
      maximum: 100,
      description: 'expected multiple of normal daily demand on these days (2 = double)',
    }),
    sku: Type.Optional(Nullable(Sku)),
    location_id: Type.Optional(Nullable(Id)),
  },
  {
    additionalProperties: false,
    examples: [{ name: '618', kind: 'holiday', starts_on: '2027-06-16', ends_on: '2027-06-18', uplift: 2.5 }],
  },
);
const EventSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: EventKind,
  starts_on: Type.String({ format: 'date' }),
  ends_on: Type.String({ format: 'date' }),
  uplift: Type.Number(),
  sku: Nullable(Type.String({ description: 'null: every SKU' })),
  location_id: Nullable(Type.String({ description: 'null: every store' })),
  created_at: Type.String({ format: 'date-time' }),
});

const Forecast = Type.Object({
  run_id: Type.String(),
  sku: Type.String(),
  location_id: Nullable(Type.String({ description: 'null: the chain total' })),
  model: Type.String({ description: 'the method the holdout chose: ets, tsb or croston_sba' }),
  history_end: Type.String({ format: 'date' }),
  history: Type.Array(Type.Object({ day: Type.String({ format: 'date' }), units: Type.Number() }), {
    description: 'the daily units the forecast was fitted on',
  }),
  forecast: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date' }),
      mean: Type.Number({ description: 'expected units' }),
      lo: Type.Number({ description: '80 % interval, lower bound' }),
      hi: Type.Number({ description: '80 % interval, upper bound' }),
      sd: Type.Number(),
    }),
  ),
});

/** Demand forecasts: runs (in the background, nightly too), a SKU's daily forecast, the events calendar. */
export const forecastRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.post(
    '/forecasts/runs',
    {
      config: { roles: RUN, idempotent: true },
      schema: {
        tags: ['forecasts'],
        summary: 'Start a forecast run on the sales history up to a day; it runs in the background',
        description:
          "Daily units per SKU × store (sales: paid or completed orders, not cancelled or expired, by local day in the retailer's time zone) " +
          'over the last 182 days up to history_end, and each SKU’s chain total. Each series is adjusted for weekday (multiplicative indices) and for the ' +
          'events calendar, fitted with damped-trend exponential smoothing, TSB or Croston-SBA (chosen per series by the mean absolute error on a ' +
          'holdout of its last days), forecast horizon_days ahead with an 80 % interval, and the stores reconciled to the chain total. ' +
          'The nightly run does the same at 02:00 local on history up to yesterday. history_end not a real date or after today: 422.',
        body: Type.Object(
          {
            history_end: Type.Optional(Day('last day of history, inclusive; default yesterday')),
            horizon_days: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_HORIZON_DAYS, default: DEFAULT_HORIZON_DAYS }),
            ),
          },
          { additionalProperties: false, examples: [{ history_end: '2026-11-30', horizon_days: 28 }] },
        ),
        response: { 202: Type.Object({ id: Type.String(), status: Type.Literal('running') }), ...errors(422) },
      },
    },
    async (req, reply) => {
      const params = forecastRunParams(req.body ?? {}, ctx.config.timezone);
      return reply.code(202).send(await startForecastRun(ctx.database, ctx.log, params));
    },
  );

  app.get(
    '/forecasts/runs/:id',
    {
      config: { roles: READ },
      schema: {
        tags: ['forecasts'],
        summary: "A forecast run's status (running, done or failed)",
        params: Type.Object({ id: Id }),
        response: { 200: RunSchema, ...errors(404) },
      },
    },
    async (req) => {
      const run = await forecastRun(ctx.database.db, req.params.id);
      if (!run) throw notFound('forecast run', 'id');
      return run;
    },
  );

  app.get(
    '/forecasts',
    {
      config: { roles: READ },
      schema: {
        tags: ['forecasts'],
        summary:
          "A SKU's daily forecast at a store (or the chain) from the latest done run, with the history it was fitted on",
        description:
          "Without location_id: the SKU's chain total. Store staff see their own store's forecast (location_id is ignored). " +
          'No done run, or the SKU had no sales there in the run’s history: 404.',
        querystring: Type.Object({ sku: Sku, location_id: Type.Optional(Id) }),
        response: { 200: Forecast, ...errors(404) },
      },
    },
    async (req) => {
      const staff = req.principal.role === 'store_staff';
      const location = staff ? (req.principal.locationId ?? '') : (req.query.location_id ?? CHAIN);
      const f = await dailyForecast(ctx.database.db, { sku: req.query.sku, locationId: location });
      if (!f) throw notFound('forecast', 'sku');
      return {
        run_id: f.runId,
        sku: req.query.sku,
        location_id: location === CHAIN ? null : location,
        model: f.model,
        history_end: f.historyEnd,
        history: f.history,
        forecast: f.forecast,
      };
    },
  );

  app.get(
    '/forecast-events',
    {
      config: { roles: READ },
      schema: {
        tags: ['forecasts'],
        summary: 'The events calendar: events overlapping from..to (by start day; at most 1000)',
        querystring: Type.Object({
          from: Type.Optional(Day('events ending on or after this day')),
          to: Type.Optional(Day('events starting on or before this day')),
          sku: Type.Optional(Sku),
        }),
        response: { 200: Type.Object({ items: Type.Array(EventSchema) }), ...errors() },
      },
    },
    async (req) => ({ items: await listForecastEvents(ctx.database.db, req.query) }),
  );

  app.post(
    '/forecast-events',
    {
      config: { roles: EVENTS_WRITE, idempotent: true },
      schema: {
        tags: ['forecasts'],
        summary:
          'Add a known demand event (a campaign, a pre-sale, a holiday such as 618 or 双11) to the calendar (audited)',
        description:
          'The next forecast run divides the event’s uplift out of the history on its days and multiplies it into the forecast. ' +
          'ends_on before starts_on: 422.',
        body: EventBody,
        response: { 201: EventSchema, ...errors(422) },
      },
    },
    async (req, reply) => {
      const e = await transact(ctx.database, async (tx) => {
        const created = await createForecastEvent(tx, req.body);
        await audit(tx, req.principal, { action: 'forecast_event.create', details: { id: created.id } });
        return created;
      });
      return reply.code(201).send(e);
    },
  );

  app.put(
    '/forecast-events/:id',
    {
      config: { roles: EVENTS_WRITE },
      schema: {
        tags: ['forecasts'],
        summary: "Change an event's name, dates, uplift or scope (audited); every field is replaced",
        description: 'Forecasts take it from the next run. ends_on before starts_on: 422; no such event: 404.',
        params: Type.Object({ id: Id }),
        body: EventBody,
        response: { 200: EventSchema, ...errors(404, 422) },
      },
    },
    async (req) =>
      transact(ctx.database, async (tx) => {
        const updated = await updateForecastEvent(tx, req.params.id, req.body);
        if (!updated) throw notFound('forecast event', 'id');
        await audit(tx, req.principal, { action: 'forecast_event.update', details: { id: updated.id } });
        return updated;
      }),
  );

  app.delete(
    '/forecast-events/:id',
    {
      config: { roles: EVENTS_WRITE },
      schema: {
        tags: ['forecasts'],
        summary: 'Remove an event from the calendar (audited)',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...errors(404) },
      },
    },
    async (req, reply) => {
      await transact(ctx.database, async (tx) => {
        if (!(await deleteForecastEvent(tx, req.params.id))) throw notFound('forecast event', 'id');
        await audit(tx, req.principal, { action: 'forecast_event.delete', details: { id: req.params.id } });
      });
      return reply.code(204).send(null);
    },
  );
};
