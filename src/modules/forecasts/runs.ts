import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { localDayHour } from '../../platform/nightly';
import { isSale, orderFacts, orderLineFacts } from '../orders/public';
import { addDays, dayNumber, isoDay } from './days';
import { forecastSku, type SeriesInput, type SeriesForecast } from './panel';
import { CHAIN, type ForecastSeriesTable } from './tables';

export const DEFAULT_HORIZON_DAYS = 28;
export const MAX_HORIZON_DAYS = 120;
/** Days of history a run fits on (26 weeks): enough for weekday indices and a level, cheap for 5 M series. */
export const HISTORY_DAYS = 182;
const WRITE_BATCH = 500;
/** SKUs fitted between two turns of the event loop, so the server keeps answering during a run. */
const SKUS_PER_TURN = 50;

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

/** Records a run and fits it in the background; the run's row says when it is done. */
export async function startForecastRun(
  database: Database,
  log: Logger,
  params: ForecastRunParams,
): Promise<{ id: string; status: 'running' }> {
  const id = await recordRun(database, params);
  void finishRun(database, id, params).catch(async (err: unknown) => {
    log.error({ err, run: id }, 'forecast run failed');
    await failRun(database, id).catch((e: unknown) => log.error({ err: e, run: id }, 'forecast run not marked failed'));
  });
  return { id, status: 'running' };
}

/** Records and fits a run before returning (the demo seeder, tests); its id. */
export async function runForecastNow(database: Database, params: ForecastRunParams): Promise<string> {
  const id = await recordRun(database, params);
  try {
    await finishRun(database, id, params);
  } catch (err) {
    await failRun(database, id);
    throw err;
  }
  return id;
}

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

async function failRun(database: Database, id: string) {
  await transact(database, (tx) =>
    tx
      .updateTable('forecast_runs')
      .set({ status: 'failed', error: 'internal error', finished_at: new Date() })
      .where('id', '=', id)
      .execute(),
  );
}

/** Units sold per SKU, store and local day over the window (sales only: paid or completed, not cancelled). */
async function loadSales(db: Queryable, from: string, to: string, timezone: string) {
  const r = await sql<{ sku: string; location_id: string; day: string; units: string }>`
    SELECT l.sku, o.location_id, (o.placed_at AT TIME ZONE ${timezone})::date::text AS day, sum(l.qty) AS units
    FROM ${orderFacts} o JOIN ${orderLineFacts} l ON l.order_id = o.id
    WHERE ${isSale('o')} AND o.location_id IS NOT NULL
      AND o.placed_at >= (${from}::timestamp AT TIME ZONE ${timezone})
      AND o.placed_at < (${addDays(to, 1)}::timestamp AT TIME ZONE ${timezone})
    GROUP BY 1, 2, 3`.execute(db);
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
  end: number,
  horizon: number,
): Map<string, { stores: SeriesInput[]; chain: SeriesInput }> {
  const days = new Map<string, Map<string, Map<number, number>>>();
  for (const r of sales) {
    let bySku = days.get(r.sku);
    if (!bySku) days.set(r.sku, (bySku = new Map()));
    for (const loc of [r.location_id, CHAIN]) {
      let byDay = bySku.get(loc);
      if (!byDay) bySku.set(loc, (byDay = new Map()));
      const d = dayNumber(r.day)!;
      byDay.set(d, (byDay.get(d) ?? 0) + Number(r.units));
    }
  }
  const out = new Map<string, { stores: SeriesInput[]; chain: SeriesInput }>();
  for (const [sku, bySku] of days) {
    const series = [...bySku].map(([location, byDay]): SeriesInput => {
      const start = Math.min(...byDay.keys());
      const units = new Float64Array(end - start + 1);
      for (const [d, q] of byDay) units[d - start] = q;
      return { location, start, units, uplift: upliftOf(events, sku, location, start, units.length + horizon) };
    });
    out.set(sku, {
      stores: series.filter((s) => s.location !== CHAIN),
      chain: series.find((s) => s.location === CHAIN)!,
    });
  }
  return out;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every SKU's series forecast and reconciled, yielding to the event loop every few SKUs. */
export async function forecastAll(
  skus: Map<string, { stores: SeriesInput[]; chain: SeriesInput }>,
  horizon: number,
  each: (sku: string, inputs: SeriesInput[], forecasts: SeriesForecast[]) => void,
): Promise<void> {
  let n = 0;
  for (const [sku, { stores, chain }] of skus) {
    each(sku, [...stores, chain], forecastSku(stores, chain, horizon));
    if (++n % SKUS_PER_TURN === 0) await nextTurn();
  }
}

/**
 * History of the last HISTORY_DAYS days up to history_end and the events around it read in two
 * queries, every series fitted here (cooperatively: see forecastAll), then the series written in
 * bulk and the run marked done in one transaction; older runs' series are dropped then.
 */
async function finishRun(database: Database, id: string, params: ForecastRunParams) {
  const end = dayNumber(params.historyEnd)!;
  const from = isoDay(end - HISTORY_DAYS + 1);
  const sales = await loadSales(database.db, from, params.historyEnd, params.timezone);
  const events = await loadEvents(database.db, from, addDays(params.historyEnd, params.horizonDays));
  const rows: ForecastSeriesTable[] = [];
  await forecastAll(buildSeries(sales, events, end, params.horizonDays), params.horizonDays, (sku, inputs, fcs) => {
    fcs.forEach((f, i) =>
      rows.push({
        run_id: id,
        sku,
        location_id: f.location,
        model: f.model,
        history_start: isoDay(inputs[i].start),
        history: Array.from(inputs[i].units),
        mean: Array.from(f.mean),
        lo: Array.from(f.lo),
        hi: Array.from(f.hi),
        sd: Array.from(f.sd),
      }),
    );
  });
  await transact(database, async (tx) => {
    await tx.deleteFrom('forecast_series').where('run_id', '=', id).execute(); // a retried transaction starts clean
    for (let i = 0; i < rows.length; i += WRITE_BATCH)
      await tx
        .insertInto('forecast_series')
        .values(rows.slice(i, i + WRITE_BATCH))
        .execute();
    await tx
      .updateTable('forecast_runs')
      .set({ status: 'done', series: rows.length, finished_at: sql<Date>`clock_timestamp()` })
      .where('id', '=', id)
      .execute();
    await tx
      .deleteFrom('forecast_series')
      .where('run_id', 'in', (q) =>
        q.selectFrom('forecast_runs').select('id').where('status', '=', 'done').where('id', '!=', id),
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
