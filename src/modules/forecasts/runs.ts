import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../platform/db/database';
import { transact, withRetry } from '../../platform/db/transaction';
import { unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { runNow, startRun, type RunKind } from '../../platform/jobs/runs';
import { localDayHour } from '../../platform/nightly';
import { isSale, orderFacts, orderLineFacts } from '../orders/public';
import { addDays, dayNumber, isoDay } from './days';
import type { SkuSeries } from './fit-chunk';
import { forecastInPool, forecastWorkers } from './fit-pool';
import type { SeriesInput } from './panel';
import { CHAIN } from './tables';
import { writeSeries } from './write-series';

export const DEFAULT_HORIZON_DAYS = 28;
export const MAX_HORIZON_DAYS = 120;
/** Days of history a run fits on (26 weeks): enough for weekday indices and a level, cheap for 5 M series. */
export const HISTORY_DAYS = 182;
/** SKUs whose sales one query loads: at 100 stores, ~100,000 series in memory at a time. */
const LOAD_SKUS = 1000;

export interface ForecastRunParams {
  /** YYYY-MM-DD, the last day of history in the retailer's time zone; the forecast starts the day after. */
  historyEnd: string;
  horizonDays: number;
  timezone: string;
}

/** The API's body as run parameters: 422 naming the field for a date that does not exist or is not yet over. */
export function forecastRunParams(
  body: { history_end?: string; horizon_days?: number },
  timezone: string,
  now = new Date(),
): ForecastRunParams {
  const today = localDayHour(now, timezone).day;
  const historyEnd = body.history_end ?? addDays(today, -1);
  if (dayNumber(historyEnd) === null)
    throw unprocessable('invalid_history_end', 'history_end must be a date YYYY-MM-DD', 'history_end');
  if (historyEnd > today)
    throw unprocessable('invalid_history_end', `history_end is after today (${today})`, 'history_end');
  return { historyEnd, horizonDays: body.horizon_days ?? DEFAULT_HORIZON_DAYS, timezone };
}

/** A forecast run's lifecycle (platform/jobs/runs.ts), fitting on `workers` threads. */
const forecastRuns = (database: Database, workers: number): RunKind<ForecastRunParams> => ({
  name: 'forecast run',
  record: (params) => recordRun(database, params),
  finish: (id, params) => finishRun(database, id, params, workers),
  fail: (id, error) => failRun(database, id, error),
});

/** Records a run and fits it in the background; the run's row says when it is done. */
export const startForecastRun = (
  database: Database,
  log: Logger,
  params: ForecastRunParams,
  workers = forecastWorkers(),
): Promise<{ id: string; status: 'running' }> => startRun(forecastRuns(database, workers), log, params);

/** Records and fits a run before returning (the demo seeder, tests, benchmarks); its id. */
export const runForecastNow = (database: Database, params: ForecastRunParams, workers = forecastWorkers()) =>
  runNow(forecastRuns(database, workers), params);

async function recordRun(database: Database, params: ForecastRunParams): Promise<string> {
  const id = newId('fcr');
  await transact(database, (tx) =>
    tx
      .insertInto('forecast_runs')
      .values({ id, history_end: params.historyEnd, horizon_days: params.horizonDays })
      .execute(),
  );
  return id;
}

/** Marks a run failed and drops the series it had written. */
async function failRun(database: Database, id: string, error: string) {
  await transact(database, async (tx) => {
    await tx
      .updateTable('forecast_runs')
      .set({ status: 'failed', error, finished_at: new Date() })
      .where('id', '=', id)
      .execute();
    await tx.deleteFrom('forecast_series').where('run_id', '=', id).execute();
  });
}

/** The sales of the window (paid or completed, not cancelled) with a store, `o` and `l`. */
const windowSales = (from: string, to: string, timezone: string) => sql`
  ${orderFacts} o JOIN ${orderLineFacts} l ON l.order_id = o.id
  WHERE ${isSale('o')} AND o.location_id IS NOT NULL
    AND o.placed_at >= (${from}::timestamp AT TIME ZONE ${timezone})
    AND o.placed_at < (${addDays(to, 1)}::timestamp AT TIME ZONE ${timezone})`;

/** The SKUs sold over the window, in order. */
async function soldSkus(db: Queryable, from: string, to: string, timezone: string): Promise<string[]> {
  const r = await sql<{
    sku: string;
  }>`SELECT DISTINCT l.sku FROM ${windowSales(from, to, timezone)} ORDER BY 1`.execute(db);
  return r.rows.map((x) => x.sku);
}

/**
 * Units sold of `skus` per store over the window, one row per series: its selling days (days
 * after `from`) and units, aggregated in the database so a run holds arrays, not a row per day.
 */
async function loadSales(db: Queryable, from: string, to: string, timezone: string, skus: string[]) {
  const r = await sql<{ sku: string; location_id: string; days: number[]; units: number[] }>`
    SELECT sku, location_id, array_agg(d) AS days, array_agg(units) AS units
    FROM (
      SELECT l.sku, o.location_id, (o.placed_at AT TIME ZONE ${timezone})::date - ${from}::date AS d,
        sum(l.qty)::float8 AS units
      FROM ${windowSales(from, to, timezone)} AND l.sku = ANY(${skus}::text[])
      GROUP BY 1, 2, 3
    ) daily
    GROUP BY 1, 2
    ORDER BY 1, 2`.execute(db);
  return r.rows;
}

interface EventRow {
  starts_on: string;
  ends_on: string;
  uplift: number;
  sku: string | null;
  location_id: string | null;
}

async function loadEvents(db: Queryable, from: string, to: string): Promise<EventRow[]> {
  return db
    .selectFrom('forecast_events')
    .select([
      sql<string>`starts_on::text`.as('starts_on'),
      sql<string>`ends_on::text`.as('ends_on'),
      'uplift',
      'sku',
      'location_id',
    ])
    .where('ends_on', '>=', from)
    .where('starts_on', '<=', to)
    .execute();
}

/**
 * The demand multiples of the events that apply to a series (its SKU or every SKU; its store or
 * every store — the chain series takes chain-wide events only) from day `start` for `length`
 * days; overlapping events: the largest. Undefined when none applies.
 */
function upliftOf(events: readonly EventRow[], sku: string, location: string, start: number, length: number) {
  let out: Float64Array | undefined;
  for (const e of events) {
    if (e.sku !== null && e.sku !== sku) continue;
    if (e.location_id !== null && (location === CHAIN || e.location_id !== location)) continue;
    const from = Math.max(0, dayNumber(e.starts_on)! - start);
    const to = Math.min(length - 1, dayNumber(e.ends_on)! - start);
    if (from > to) continue;
    out ??= new Float64Array(length).fill(1);
    for (let t = from; t <= to; t++) out[t] = Math.max(out[t], e.uplift);
  }
  return out;
}

/** Daily arrays from each series' first sale to the history end, per SKU, with the chain total. */
function buildSeries(
  sales: Awaited<ReturnType<typeof loadSales>>,
  events: readonly EventRow[],
  from: number,
  end: number,
  horizon: number,
): Map<string, SkuSeries> {
  const bySku = new Map<string, SkuSeries>();
  const withUplift = (sku: string, location: string, start: number, units: Float64Array): SeriesInput => ({
    location,
    start,
    units,
    uplift: upliftOf(events, sku, location, start, units.length + horizon),
  });
  for (const r of sales) {
    const start = from + Math.min(...r.days);
    const units = new Float64Array(end - start + 1);
    r.days.forEach((d, i) => (units[from + d - start] = r.units[i]));
    let s = bySku.get(r.sku);
    if (!s)
      bySku.set(r.sku, (s = { stores: [], chain: { location: CHAIN, start: end + 1, units: new Float64Array(0) } }));
    s.stores.push(withUplift(r.sku, r.location_id, start, units));
    s.chain.start = Math.min(s.chain.start, start);
  }
  for (const [sku, s] of bySku) {
    const units = new Float64Array(end - s.chain.start + 1);
    for (const st of s.stores)
      for (let t = 0; t < st.units.length; t++) units[st.start - s.chain.start + t] += st.units[t];
    s.chain = withUplift(sku, CHAIN, s.chain.start, units);
  }
  return bySku;
}

/**
 * The events around the window read, then the sales of the last HISTORY_DAYS days up to
 * history_end LOAD_SKUS SKUs at a time (memory stays bounded however many SKUs), every series
 * fitted on the worker threads (fit-pool.ts: the server's thread stays free), each chunk's series written as it comes back, in a transaction of its own (readers take
 * the latest done run, so a running run's rows are not read), then the run marked done and older
 * runs' series dropped in one transaction.
 */
async function finishRun(database: Database, id: string, params: ForecastRunParams, workers: number) {
  const end = dayNumber(params.historyEnd)!;
  const from = end - HISTORY_DAYS + 1;
  const [db, first, last, tz] = [database.db, isoDay(from), params.historyEnd, params.timezone];
  const events = await loadEvents(db, first, addDays(last, params.horizonDays));
  const skus = await soldSkus(db, first, last, tz);
  async function* bySku() {
    for (let i = 0; i < skus.length; i += LOAD_SKUS) {
      const sales = await loadSales(db, first, last, tz, skus.slice(i, i + LOAD_SKUS));
      yield* buildSeries(sales, events, from, end, params.horizonDays);
    }
  }
  let series = 0;
  await forecastInPool(bySku(), params.horizonDays, workers, async (fitted) => {
    series += await withRetry(database, () => writeSeries(database.db, id, fitted));
  });
  await transact(database, async (tx) => {
    await tx
      .updateTable('forecast_runs')
      .set({ status: 'done', series, finished_at: sql<Date>`clock_timestamp()` })
      .where('id', '=', id)
      .execute();
    await tx
      .deleteFrom('forecast_series')
      .where('run_id', 'in', (q) =>
        q.selectFrom('forecast_runs').select('id').where('status', '!=', 'running').where('id', '!=', id),
      )
      .execute();
  });
}

export interface ForecastRunView {
  id: string;
  status: 'running' | 'done' | 'failed';
  history_end: string;
  horizon_days: number;
  series: number | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export async function forecastRun(db: Queryable, id: string): Promise<ForecastRunView | null> {
  const r = await db
    .selectFrom('forecast_runs')
    .select([
      'id',
      'status',
      sql<string>`history_end::text`.as('history_end'),
      'horizon_days',
      'series',
      'error',
      'started_at',
      'finished_at',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return null;
  return { ...r, started_at: r.started_at.toISOString(), finished_at: r.finished_at?.toISOString() ?? null };
}
