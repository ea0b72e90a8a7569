import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { unprocessable } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { newId } from '../../platform/ids';
import { runNow, startRun, type RunKind } from '../../platform/jobs/runs';
import { localDayHour } from '../../platform/nightly';
import { dayNumber } from './summary';
import { ClvDataError } from './fit';
import { fitAndPredict } from './fit-in-thread';
import { clvSummaries, writeScores } from './score';
import './tables';

export const DEFAULT_HORIZON_DAYS = 365;
export const MAX_HORIZON_DAYS = 3650;

export interface ClvRunParams {
  /** YYYY-MM-DD, the last day of the calibration period in the retailer's time zone. */
  calibrationEnd: string;
  horizonDays: number;
  timezone: string;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export const localDay = (at: Date, timezone: string): string => localDayHour(at, timezone).day;

/** The API's body as run parameters: 422 naming the field for a date that does not exist or is in the future. */
export function clvRunParams(
  body: { calibration_end?: string; horizon_days?: number },
  timezone: string,
  now = new Date(),
): ClvRunParams {
  const today = localDay(now, timezone);
  const calibrationEnd = body.calibration_end ?? today;
  if (dayNumber(calibrationEnd) === null)
    throw unprocessable('invalid_calibration_end', 'calibration_end must be a date YYYY-MM-DD', 'calibration_end');
  if (calibrationEnd > today)
    throw unprocessable('invalid_calibration_end', `calibration_end is after today (${today})`, 'calibration_end');
  return { calibrationEnd, horizonDays: body.horizon_days ?? DEFAULT_HORIZON_DAYS, timezone };
}

/** A CLV run's lifecycle (platform/jobs/runs.ts); a ClvDataError's message is the run's error. */
const clvRuns = (database: Database): RunKind<ClvRunParams> => ({
  name: 'CLV run',
  record: (params) => recordRun(database, params),
  finish: (id, params) => finishRun(database, id, params),
  fail: (id, error) => failRun(database, id, error),
  visible: (err) => (err instanceof ClvDataError ? err.message : null),
});

/** Records a run and fits and scores it in the background; the run's row says when it is done. */
export const startClvRun = (
  database: Database,
  log: Logger,
  params: ClvRunParams,
): Promise<{ id: string; status: 'running' }> => startRun(clvRuns(database), log, params);

/** Records, fits and scores a run before returning (the demo seeder, the nightly task); its id. */
export const runClvNow = (database: Database, params: ClvRunParams): Promise<string> =>
  runNow(clvRuns(database), params);

async function recordRun(database: Database, params: ClvRunParams): Promise<string> {
  const id = newId('clv');
  await transact(database, (tx) =>
    tx
      .insertInto('clv_runs')
      .values({ id, calibration_end: params.calibrationEnd, horizon_days: params.horizonDays })
      .execute(),
  );
  return id;
}

async function failRun(database: Database, id: string, error: string) {
  await transact(database, (tx) =>
    tx.updateTable('clv_runs').set({ status: 'failed', error, finished_at: new Date() }).where('id', '=', id).execute(),
  );
}

/**
 * The summary in one aggregate query, the fit in Node on its arrays (the model, no queries; in a
 * worker thread, so the server keeps answering), then
 * the scores in bulk and the run marked done in one transaction; older runs' scores are dropped
 * then (the latest done run is what is read).
 */
async function finishRun(database: Database, id: string, params: ClvRunParams) {
  const summaries = await clvSummaries(database.db, params.calibrationEnd, params.timezone);
  const { fits, rows } = await fitAndPredict(summaries, params.horizonDays);
  const { bgnbd, gammaGamma } = fits;
  await transact(database, async (tx) => {
    await tx.deleteFrom('clv_scores').where('run_id', '=', id).execute(); // a retried transaction starts clean
    await writeScores(tx, id, rows);
    await tx
      .updateTable('clv_runs')
      .set({
        status: 'done',
        customers: rows.length,
        r: bgnbd.r,
        alpha: bgnbd.alpha,
        a: bgnbd.a,
        b: bgnbd.b,
        log_likelihood: bgnbd.logLikelihood,
        p: gammaGamma.p,
        q: gammaGamma.q,
        v: gammaGamma.v,
        finished_at: sql<Date>`clock_timestamp()`,
      })
      .where('id', '=', id)
      .execute();
    await tx
      .deleteFrom('clv_scores')
      .where('run_id', 'in', (q) =>
        q.selectFrom('clv_runs').select('id').where('status', '=', 'done').where('id', '!=', id),
      )
      .execute();
  });
}

export interface ClvRunView {
  id: string;
  status: 'running' | 'done' | 'failed';
  calibration_end: string;
  horizon_days: number;
  customers: number | null;
  time_unit: 'week' | 'day';
  bgnbd: { r: number; alpha: number; a: number; b: number; log_likelihood: number } | null;
  gamma_gamma: { p: number; q: number; v: number } | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export async function clvRun(db: Queryable, id: string): Promise<ClvRunView | null> {
  const r = await db
    .selectFrom('clv_runs')
    .select([
      'id',
      'status',
      sql<string>`calibration_end::text`.as('calibration_end'),
      'horizon_days',
      'customers',
      'time_unit',
      'r',
      'alpha',
      'a',
      'b',
      'log_likelihood',
      'p',
      'q',
      'v',
      'error',
      'started_at',
      'finished_at',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return null;
  const fitted = r.status === 'done';
  return {
    id: r.id,
    status: r.status,
    calibration_end: r.calibration_end,
    horizon_days: r.horizon_days,
    customers: r.customers,
    time_unit: r.time_unit,
    bgnbd: fitted ? { r: r.r!, alpha: r.alpha!, a: r.a!, b: r.b!, log_likelihood: r.log_likelihood! } : null,
    gamma_gamma: fitted ? { p: r.p!, q: r.q!, v: r.v! } : null,
    error: r.error,
    started_at: r.started_at.toISOString(),
    finished_at: r.finished_at?.toISOString() ?? null,
  };
}

/** The latest done run, whose scores are the current ones. */
export async function latestDoneClvRun(
  db: Queryable,
): Promise<{ id: string; calibration_end: string; horizon_days: number } | undefined> {
  return db
    .selectFrom('clv_runs')
    .select(['id', sql<string>`calibration_end::text`.as('calibration_end'), 'horizon_days'])
    .where('status', '=', 'done')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export const SCORE_COLUMNS = [
  'customer_id',
  'frequency',
  'recency',
  't',
  'p_alive',
  'expected_orders',
  'expected_avg_value',
  'expected_value',
] as const;

export const scoreView = (r: {
  customer_id: string;
  frequency: number;
  recency: number;
  t: number;
  p_alive: number;
  expected_orders: number;
  expected_avg_value: string;
  expected_value: string;
}) => ({
  customer_id: r.customer_id,
  frequency: r.frequency,
  recency: r.recency,
  T: r.t,
  p_alive: r.p_alive,
  expected_orders: r.expected_orders,
  expected_avg_value: Number(r.expected_avg_value),
  expected_value: Number(r.expected_value),
});

/**
 * A page of the latest done run's scores, highest expected value first (ties by customer id). The
 * cursor carries its run, so paging stays on one run; when a newer run finishes meanwhile its
 * scores are gone and the next page is empty.
 */
export async function clvCustomers(db: Queryable, q: { cursor?: string; limit: number }) {
  const after = decodeCursor(q.cursor, 3, ['string', 'int', 'string']) as [string, number, string] | null;
  const runId = after?.[0] ?? (await latestDoneClvRun(db))?.id;
  if (!runId) return { run_id: null, items: [], next_cursor: null };
  let query = db
    .selectFrom('clv_scores')
    .select(SCORE_COLUMNS)
    .where('run_id', '=', runId)
    .orderBy('expected_value', 'desc')
    .orderBy('customer_id')
    .limit(q.limit + 1);
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('expected_value', '<', String(after[1])),
        eb.and([eb('expected_value', '=', String(after[1])), eb('customer_id', '>', after[2])]),
      ]),
    );
  const rows = (await query.execute()).map(scoreView);
  return { run_id: runId, ...page(rows, q.limit, (r) => [runId, r.expected_value, r.customer_id]) };
}
