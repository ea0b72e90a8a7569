import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { audit } from '../../platform/audit/audit';
import { transact } from '../../platform/db/transaction';
import { notFound } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { nightlyHour, setNightlyHour } from '../../platform/nightly';
import { clvCsv } from './csv';
import { CLV_DEFAULT_HOUR, CLV_SCHEDULE } from './nightly';
import './profile';
import { wantsCsv } from '../../platform/http/csv';
import {
  clvCustomers,
  clvRun,
  clvRunParams,
  DEFAULT_HORIZON_DAYS,
  latestDoneClvRun,
  MAX_HORIZON_DAYS,
  startClvRun,
} from './runs';

const ROLES = ['admin', 'marketer', 'analyst'] as const;
const SCHEDULE_WRITE = ['admin', 'marketer'] as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const RunSchema = Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'done', 'failed'] as const),
  calibration_end: Type.String({ format: 'date' }),
  horizon_days: Type.Integer(),
  customers: Nullable(Type.Integer({ description: 'customers scored, once done' })),
  time_unit: StringEnum(['week', 'day'] as const, { description: 'the unit of recency, T and the fitted α' }),
  bgnbd: Nullable(
    Type.Object({
      r: Type.Number(),
      alpha: Type.Number(),
      a: Type.Number(),
      b: Type.Number(),
      log_likelihood: Type.Number(),
    }),
  ),
  gamma_gamma: Nullable(
    Type.Object({ p: Type.Number(), q: Type.Number(), v: Type.Number({ description: 'on amounts in yuan' }) }),
  ),
  error: Nullable(Type.String({ description: 'why a failed run failed' })),
  started_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
});

const Score = Type.Object({
  customer_id: Type.String({ description: 'the root of a merged group' }),
  frequency: Type.Integer({ description: 'x: repeat purchase days up to the calibration end' }),
  recency: Type.Number({ description: 't_x: weeks from the first to the last purchase day' }),
  T: Type.Number({ description: 'weeks from the first purchase day to the calibration end' }),
  p_alive: Type.Number({ description: 'P(still a customer) at the calibration end (BG/NBD)' }),
  expected_orders: Type.Number({ description: 'expected purchase days in the next horizon_days' }),
  expected_avg_value: Type.Integer({ description: 'expected value of a purchase day, fen (Gamma-Gamma)' }),
  expected_value: Type.Integer({ description: 'expected_orders × expected_avg_value, fen' }),
});

const Schedule = Type.Object(
  {
    hour: Nullable(
      Type.Integer({ minimum: 0, maximum: 23, description: "local hour (retailer's time zone) of the nightly run" }),
    ),
  },
  { additionalProperties: false, examples: [{ hour: 3 }, { hour: null }] },
);

/** Lifetime value: runs fitting BG/NBD and Gamma-Gamma (in the background), the latest run's scores, the schedule. */
export const clvRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.post(
    '/clv/runs',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['clv'],
        summary: 'Start a lifetime-value run (BG/NBD + Gamma-Gamma) calibrated up to a day; it runs in the background',
        description:
          "The summary per customer (the root of a merged group; never anonymous or erased people) from every sale (paid or completed, not cancelled or expired, net of refunds) up to calibration_end inclusive, by calendar day in the retailer's time zone: " +
          'purchases on one day count as one; x = purchase days − 1; t_x and T = weeks from the first purchase day to the last and to calibration_end. ' +
          'BG/NBD is fitted on (x, t_x, T) and Gamma-Gamma on the mean yuan value of the repeat purchase days (customers with x > 0), both by maximum likelihood; ' +
          'each customer is then scored for the next horizon_days. calibration_end not a real date or after today: 422; horizon_days outside 1..3650: 400.',
        body: Type.Object(
          {
            calibration_end: Type.Optional(
              Type.String({
                pattern: '^\\d{4}-\\d{2}-\\d{2}$',
                maxLength: 10,
                description: "YYYY-MM-DD, inclusive; default today in the retailer's time zone",
              }),
            ),
            horizon_days: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: MAX_HORIZON_DAYS,
                default: DEFAULT_HORIZON_DAYS,
                description: 'days predicted ahead',
              }),
            ),
          },
          { additionalProperties: false, examples: [{ calibration_end: '2026-11-30', horizon_days: 365 }] },
        ),
        response: {
          202: Type.Object({ id: Type.String(), status: Type.Literal('running') }),
          ...errors(422),
        },
      },
    },
    async (req, reply) => {
      const params = clvRunParams(req.body ?? {}, ctx.config.timezone);
      return reply.code(202).send(await startClvRun(ctx.database, ctx.log, params));
    },
  );

  app.get(
    '/clv/runs/:id',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['clv'],
        summary: "A CLV run's status (running, done or failed) and, once done, the fitted parameters",
        params: Type.Object({ id: Id }),
        response: { 200: RunSchema, ...errors(404) },
      },
    },
    async (req) => {
      const run = await clvRun(ctx.database.db, req.params.id);
      if (!run) throw notFound('CLV run', 'id');
      return run;
    },
  );

  app.get(
    '/clv/customers',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['clv'],
        summary: "The latest done CLV run's scores, highest expected value first (ties by customer id)",
        description:
          'JSON pages by default (values in fen); with `Accept: text/csv` every score of the run is streamed as CSV in the ' +
          'same order, cursor and limit ignored, and the export is recorded in the audit log.',
        querystring: Type.Object({ cursor: Cursor, limit: Limit }),
        response: {
          200: Type.Object({
            run_id: Nullable(Type.String()),
            items: Type.Array(Score),
            next_cursor: Nullable(Type.String()),
          }),
          ...errors(),
        },
      },
    },
    async (req, reply) => {
      if (!wantsCsv(req.headers.accept))
        return clvCustomers(ctx.database.db, { ...req.query, limit: req.query.limit ?? 50 });
      const run = await latestDoneClvRun(ctx.database.db);
      // ids and predictions only, no personal data; still an export, so it is on the record
      await audit(ctx.database.db, req.principal, { action: 'clv.export', details: { run_id: run?.id ?? null } });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="clv-customers.csv"')
        .send(Readable.from(clvCsv(ctx.database.db, run?.id ?? null)) as never);
    },
  );

  app.get(
    '/clv/schedule',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['clv'],
        summary: "The nightly CLV run's local hour (null: off; default 3)",
        response: { 200: Schedule, ...errors() },
      },
    },
    async () => ({ hour: await nightlyHour(ctx.database.db, CLV_SCHEDULE, CLV_DEFAULT_HOUR) }),
  );

  app.put(
    '/clv/schedule',
    {
      config: { roles: SCHEDULE_WRITE },
      schema: {
        tags: ['clv'],
        summary: "Set the nightly CLV run's local hour, or null to turn it off (audited)",
        description:
          "Once a day from this hour (retailer's time zone) one server process claims the day and starts a run calibrated up to yesterday.",
        body: Schedule,
        response: { 200: Schedule, ...errors() },
      },
    },
    async (req) => {
      await transact(ctx.database, async (tx) => {
        await setNightlyHour(tx, CLV_SCHEDULE, req.body.hour);
        await audit(tx, req.principal, { action: 'clv.schedule', details: { hour: req.body.hour } });
      });
      return { hour: req.body.hour };
    },
  );
};
