import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { audit } from '../../platform/audit/audit';
import { transact } from '../../platform/db/transaction';
import { notFound } from '../../platform/http/errors';
import { nightlyHour, setNightlyHour } from '../../platform/nightly';
import { Cursor, errors, Fen, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import './rfm-profile';
import { LIFECYCLE_STAGES, RFM_SEGMENTS } from './rfm-segments';
import { rfmCsv } from './rfm-csv';
import { RFM_DEFAULT_HOUR, RFM_SCHEDULE } from './rfm-nightly';
import { latestDoneRun, rfmCustomers, rfmGrid, rfmRun, rfmSegments, runParams, startRfmRun } from './rfm-service';
import { wantsCsv } from '../../platform/http/csv';

const READ = ['admin', 'marketer', 'analyst'] as const;
const RUN = ['admin', 'marketer'] as const;

const Segment = StringEnum(RFM_SEGMENTS, { description: 'one of the 11 RFM segments, or others' });
const Lifecycle = StringEnum(LIFECYCLE_STAGES, { description: 'lifecycle stage (see POST /v1/rfm/runs)' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const RunSchema = Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'done', 'failed'] as const),
  as_of: Type.String({ format: 'date-time' }),
  window_days: Nullable(Type.Integer()),
  customers: Nullable(Type.Integer({ description: 'customers scored, once done' })),
  started_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
  at_risk_gaps: Type.Number(),
  lapsed_gaps: Type.Number(),
  loyal_orders: Type.Integer(),
  typical_gap_days: Nullable(
    Type.Number({ description: 'median mean gap in days between sales; null: no repeat sale' }),
  ),
});

const Score = Type.Object({
  customer_id: Type.String(),
  recency_days: Type.Integer({ description: 'whole days from the last sale to as_of' }),
  frequency: Type.Integer({ description: 'sales in the window' }),
  monetary: Type.Integer({ description: 'Σ (total − refunded) in fen' }),
  r: Type.Integer({ minimum: 1, maximum: 5 }),
  f: Type.Integer({ minimum: 1, maximum: 5 }),
  m: Type.Integer({ minimum: 1, maximum: 5 }),
  rfm: Type.String({ description: 'the three digits, e.g. "545"' }),
  segment: Segment,
  lifecycle: Lifecycle,
});

const Schedule = Type.Object(
  {
    hour: Nullable(
      Type.Integer({ minimum: 0, maximum: 23, description: "local hour (retailer's time zone) of the nightly run" }),
    ),
  },
  { additionalProperties: false, examples: [{ hour: 2 }, { hour: null }] },
);

/** RFM: runs scoring every customer (set-based, in the background) and reads of the latest done run. */
export const audienceRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.post(
    '/rfm/runs',
    {
      config: { roles: RUN },
      schema: {
        tags: ['audiences'],
        summary: 'Start an RFM run over the sales in (as_of − window_days, as_of]; it runs in the background',
        description:
          'Customers: identified roots (never anonymous or erased) with a sale (paid or completed, not cancelled or expired) ' +
          'in (as_of − window_days × 24 h, as_of]. recency_days = floor((as_of − last sale) / 24 h), frequency = sales, ' +
          'monetary = Σ (total − refunded) fen. Each value ranks the n customers ascending by (value, customer_id); ' +
          'bin = max(1, ceil(5·(rank − 1)/(n − 1))) (1 when n = 1); F, M = bins, R = 6 − bin of recency_days; ' +
          'segment from the standard 11-segment map of the rfm code. Lifecycle: with G the median over people with ' +
          'repeat sales of their mean gap (last − first sale) / (sales − 1) in days, lapsed when recency_days > lapsed_gaps·G, else at_risk when ' +
          '> at_risk_gaps·G, else loyal with ≥ loyal_orders sales, new with one, active otherwise (no G: never at_risk ' +
          'or lapsed). A window_days outside 1..36500: 400; an as_of that is no ISO date-time: 422, naming the field.',
        body: Type.Object(
          {
            as_of: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 date-time; default now' })),
            window_days: Type.Optional(
              Nullable(
                Type.Integer({
                  minimum: 1,
                  maximum: 36_500,
                  description: 'days of history; default 365; null = all history',
                }),
              ),
            ),
            lifecycle: Type.Optional(
              Type.Object(
                {
                  at_risk_gaps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, default: 1.5 })),
                  lapsed_gaps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, default: 3 })),
                  loyal_orders: Type.Optional(Type.Integer({ minimum: 2, maximum: 10_000, default: 4 })),
                },
                { additionalProperties: false, description: 'lifecycle thresholds of this run' },
              ),
            ),
          },
          {
            additionalProperties: false,
            examples: [
              {
                as_of: '2026-12-01T00:00:00+08:00',
                window_days: 365,
                lifecycle: { at_risk_gaps: 1.5, lapsed_gaps: 3, loyal_orders: 4 },
              },
            ],
          },
        ),
        response: {
          202: Type.Object({ id: Type.String(), status: Type.Literal('running') }),
          ...errors(422),
        },
      },
    },
    async (req, reply) => {
      const run = await startRfmRun(ctx.database, ctx.log, runParams(req.body ?? {}));
      return reply.code(202).send(run);
    },
  );

  app.get(
    '/rfm/runs/:id',
    {
      config: { roles: READ },
      schema: {
        tags: ['audiences'],
        summary: "An RFM run's status: running, done or failed",
        params: Type.Object({ id: Id }),
        response: { 200: RunSchema, ...errors(404) },
      },
    },
    async (req) => {
      const run = await rfmRun(ctx.database.db, req.params.id);
      if (!run) throw notFound('RFM run', 'id');
      return run;
    },
  );

  app.get(
    '/rfm/segments',
    {
      config: { roles: READ },
      schema: {
        tags: ['audiences'],
        summary: 'Customers and revenue (fen) per RFM segment of the latest done run',
        response: {
          200: Type.Object({
            run_id: Nullable(Type.String()),
            as_of: Nullable(Type.String({ format: 'date-time' })),
            items: Type.Array(Type.Object({ segment: Segment, customers: Type.Integer(), revenue: Fen() })),
          }),
          ...errors(),
        },
      },
    },
    async () => rfmSegments(ctx.database.db),
  );

  app.get(
    '/rfm/grid',
    {
      config: { roles: READ },
      schema: {
        tags: ['audiences'],
        summary: 'Customers and revenue (fen) in each of the 25 R × F cells of the latest done run',
        description:
          'Every cell is listed, R from 5 down to 1 and F from 1 to 5 within each, zeros where nobody scored; ' +
          'cells is empty while no run is done.',
        response: {
          200: Type.Object({
            run_id: Nullable(Type.String()),
            as_of: Nullable(Type.String({ format: 'date-time' })),
            cells: Type.Array(
              Type.Object({
                r: Type.Integer({ minimum: 1, maximum: 5 }),
                f: Type.Integer({ minimum: 1, maximum: 5 }),
                customers: Type.Integer(),
                revenue: Fen(),
              }),
            ),
          }),
          ...errors(),
        },
      },
    },
    async () => rfmGrid(ctx.database.db),
  );

  app.get(
    '/rfm/customers',
    {
      config: { roles: READ },
      schema: {
        tags: ['audiences'],
        summary: "The latest done run's scores by customer id, optionally of one segment",
        description:
          'JSON pages by default; with `Accept: text/csv` every score of the run (of the segment) is streamed as CSV, ' +
          'cursor and limit ignored, and the export is recorded in the audit log.',
        querystring: Type.Object({ segment: Type.Optional(Segment), cursor: Cursor, limit: Limit }),
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
        return rfmCustomers(ctx.database.db, { ...req.query, limit: req.query.limit ?? 50 });
      const run = await latestDoneRun(ctx.database.db);
      // ids and scores only, no personal data; still an export, so it is on the record
      await audit(ctx.database.db, req.principal, {
        action: 'rfm.export',
        details: { run_id: run?.id ?? null, segment: req.query.segment ?? null },
      });
      const lines = rfmCsv(ctx.database.db, run?.id ?? null, req.query.segment);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="rfm-customers.csv"')
        .send(Readable.from(lines) as never); // a stream is sent as is, not serialised by the JSON schema
    },
  );
  app.get(
    '/rfm/schedule',
    {
      config: { roles: READ },
      schema: {
        tags: ['audiences'],
        summary: "The nightly RFM run's local hour (null: off; default 2)",
        response: { 200: Schedule, ...errors() },
      },
    },
    async () => ({ hour: await nightlyHour(ctx.database.db, RFM_SCHEDULE, RFM_DEFAULT_HOUR) }),
  );

  app.put(
    '/rfm/schedule',
    {
      config: { roles: RUN },
      schema: {
        tags: ['audiences'],
        summary: "Set the nightly RFM run's local hour, or null to turn it off (audited)",
        description:
          "Once a day from this hour (retailer's time zone) one server process claims the day and starts a run as of then over the default 365-day window.",
        body: Schedule,
        response: { 200: Schedule, ...errors() },
      },
    },
    async (req) => {
      await transact(ctx.database, async (tx) => {
        await setNightlyHour(tx, RFM_SCHEDULE, req.body.hour);
        await audit(tx, req.principal, { action: 'rfm.schedule', details: { hour: req.body.hour } });
      });
      return { hour: req.body.hour };
    },
  );
};
