import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { unprocessable } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import { newId } from '../../platform/ids';
import { scoreRun, scoresPartition } from './rfm-compute';
import { RFM_SEGMENTS } from './rfm-segments';
import './tables';

export const DEFAULT_WINDOW_DAYS = 365;
const MAX_WINDOW_DAYS = 36_500;

export interface RfmRunView {
  id: string;
  status: 'running' | 'done' | 'failed';
  as_of: string;
  window_days: number | null;
  customers: number | null;
  started_at: string;
  finished_at: string | null;
  at_risk_gaps: number;
  lapsed_gaps: number;
  loyal_orders: number;
  typical_gap_days: number | null;
}

/** When a customer's lifecycle stage changes: recency against multiples of the typical gap, a count of sales. */
export interface LifecycleThresholds {
  at_risk_gaps?: number;
  lapsed_gaps?: number;
  loyal_orders?: number;
}

export interface RunParams {
  asOf: Date;
  windowDays: number | null;
  lifecycle?: LifecycleThresholds;
}

/** as_of and window_days as the API takes them: 422 naming the field when they make no sense. */
export function runParams(
  body: { as_of?: string; window_days?: number | null; lifecycle?: LifecycleThresholds },
  now = new Date(),
): RunParams {
  const asOf = body.as_of === undefined ? now : new Date(body.as_of);
  const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  if (body.as_of !== undefined && (!isoWithZone.test(body.as_of) || !Number.isFinite(asOf.getTime())))
    throw unprocessable('invalid_as_of', 'as_of must be an ISO-8601 date-time with a time zone', 'as_of');
  const windowDays = body.window_days === undefined ? DEFAULT_WINDOW_DAYS : body.window_days;
  if (windowDays !== null && (windowDays < 1 || windowDays > MAX_WINDOW_DAYS))
    throw unprocessable(
      'invalid_window_days',
      `window_days must be 1..${MAX_WINDOW_DAYS}, or null for all history`,
      'window_days',
    );
  const t = body.lifecycle;
  if (t?.at_risk_gaps !== undefined && t.lapsed_gaps !== undefined && t.lapsed_gaps <= t.at_risk_gaps)
    throw unprocessable('invalid_lifecycle', 'lapsed_gaps must be more than at_risk_gaps', 'lifecycle.lapsed_gaps');
  return { asOf, windowDays, lifecycle: t };
}

/**
 * Records a run and scores it in the background; the run's row says when it is done. Once done,
 * older runs' scores are dropped: the latest done run is what is read.
 */
export async function startRfmRun(
  database: Database,
  log: Logger,
  params: RunParams,
): Promise<{ id: string; status: 'running' }> {
  const id = await recordRun(database, params);
  void finishRun(database, { id, ...params }).catch(async (err: unknown) => {
    log.error({ err, run: id }, 'RFM run failed');
    await transact(database, (tx) =>
      tx.updateTable('rfm_runs').set({ status: 'failed', finished_at: new Date() }).where('id', '=', id).execute(),
    ).catch((e: unknown) => log.error({ err: e, run: id }, 'RFM run not marked failed'));
  });
  return { id, status: 'running' };
}

/** Records and scores a run before returning (the demo seeder); its id. */
export async function runRfmNow(database: Database, params: RunParams): Promise<string> {
  const id = await recordRun(database, params);
  await finishRun(database, { id, ...params });
  return id;
}

async function recordRun(database: Database, params: RunParams): Promise<string> {
  const id = newId('rfm');
  await transact(database, (tx) =>
    tx
      .insertInto('rfm_runs')
      .values({ id, as_of: params.asOf, window_days: params.windowDays, ...params.lifecycle })
      .execute(),
  );
  return id;
}

async function finishRun(database: Database, run: RunParams & { id: string }) {
  await transact(database, async (tx) => {
    const customers = await scoreRun(tx, run);
    await tx
      .updateTable('rfm_runs')
      .set({ status: 'done', customers, finished_at: sql<Date>`clock_timestamp()` })
      .where('id', '=', run.id)
      .execute();
  });
  await dropSupersededScores(database);
}

/**
 * Drops the scores of every done run but the latest (their partitions). Its own transaction after
 * the run's: readers only read the latest done run, so a partition left behind by a failure here
 * does no harm and goes with the next run. The parent is locked first, as readers lock it, so a
 * reader and the drop never wait for each other in a cycle.
 */
async function dropSupersededScores(database: Database) {
  await transact(database, async (tx) => {
    const latest = await latestDoneRun(tx);
    const { rows } = await sql<{ run_id: string }>`
      SELECT r.id AS run_id FROM rfm_runs r
      WHERE r.status = 'done' AND r.id <> ${latest?.id ?? ''}
        AND to_regclass(quote_ident('rfm_scores_' || r.id)) IS NOT NULL`.execute(tx);
    if (rows.length === 0) return;
    await sql`LOCK TABLE rfm_scores IN ACCESS EXCLUSIVE MODE`.execute(tx);
    for (const { run_id } of rows) await sql`DROP TABLE IF EXISTS ${scoresPartition(run_id)}`.execute(tx);
  });
}

type RunRow = Omit<RfmRunView, 'as_of' | 'started_at' | 'finished_at'> & {
  as_of: Date;
  started_at: Date;
  finished_at: Date | null;
};

const view = (r: RunRow): RfmRunView => ({
  ...r,
  as_of: r.as_of.toISOString(),
  started_at: r.started_at.toISOString(),
  finished_at: r.finished_at?.toISOString() ?? null,
});

const RUN_COLUMNS = [
  'id',
  'status',
  'as_of',
  'window_days',
  'customers',
  'started_at',
  'finished_at',
  'at_risk_gaps',
  'lapsed_gaps',
  'loyal_orders',
  'typical_gap_days',
] as const;

export async function rfmRun(db: Queryable, id: string): Promise<RfmRunView | null> {
  const r = await db.selectFrom('rfm_runs').select(RUN_COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? view(r) : null;
}

/** The latest done run, whose scores are the current ones. */
export async function latestDoneRun(db: Queryable): Promise<{ id: string; as_of: Date } | undefined> {
  return db
    .selectFrom('rfm_runs')
    .select(['id', 'as_of'])
    .where('status', '=', 'done')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Customers and revenue (Σ monetary, fen) per segment of the latest done run; every segment listed. */
export async function rfmSegments(db: Queryable) {
  const run = await latestDoneRun(db);
  if (!run) return { run_id: null, as_of: null, items: [] };
  const rows = await db
    .selectFrom('rfm_scores')
    .select((eb) => ['segment', eb.fn.countAll<string>().as('people'), eb.fn.sum<string>('monetary').as('revenue')])
    .where('run_id', '=', run.id)
    .groupBy('segment')
    .execute();
  const by = new Map(rows.map((r) => [r.segment, r]));
  const items = RFM_SEGMENTS.map((segment) => ({
    segment,
    customers: Number(by.get(segment)?.people ?? 0),
    revenue: Number(by.get(segment)?.revenue ?? 0),
  })).filter((s) => s.segment !== 'others' || s.customers > 0);
  return { run_id: run.id, as_of: run.as_of.toISOString(), items };
}

/**
 * The R × F grid of the latest done run: all 25 cells (r, f from 1 to 5), each with its customers and
 * revenue (Σ monetary, fen); one GROUP BY over the run's scores, empty cells filled with zeros.
 */
export async function rfmGrid(db: Queryable) {
  const run = await latestDoneRun(db);
  if (!run) return { run_id: null, as_of: null, cells: [] };
  const rows = await db
    .selectFrom('rfm_scores')
    .select((eb) => ['r', 'f', eb.fn.countAll<string>().as('people'), eb.fn.sum<string>('monetary').as('revenue')])
    .where('run_id', '=', run.id)
    .groupBy(['r', 'f'])
    .execute();
  const by = new Map(rows.map((x) => [`${x.r}${x.f}`, x]));
  const cells = [];
  for (let r = 5; r >= 1; r--)
    for (let f = 1; f <= 5; f++) {
      const x = by.get(`${r}${f}`);
      cells.push({ r, f, customers: Number(x?.people ?? 0), revenue: Number(x?.revenue ?? 0) });
    }
  return { run_id: run.id, as_of: run.as_of.toISOString(), cells };
}

/**
 * A page of the latest done run's scores by customer id. The cursor carries its run, so paging
 * stays on one run when a newer one finishes meanwhile (then its scores are gone: the page is empty).
 */
export async function rfmCustomers(db: Queryable, q: { segment?: string; cursor?: string; limit: number }) {
  const after = decodeCursor(q.cursor, 2, ['string', 'string']) as [string, string] | null;
  const runId = after?.[0] ?? (await latestDoneRun(db))?.id;
  if (!runId) return { run_id: null, items: [], next_cursor: null };
  let query = db
    .selectFrom('rfm_scores')
    .select(['customer_id', 'recency_days', 'frequency', 'monetary', 'r', 'f', 'm', 'rfm', 'segment', 'lifecycle'])
    .where('run_id', '=', runId)
    .orderBy('customer_id')
    .limit(q.limit + 1);
  if (q.segment) query = query.where('segment', '=', q.segment);
  if (after) query = query.where('customer_id', '>', after[1]);
  const rows = (await query.execute()).map((r) => ({ ...r, monetary: Number(r.monetary) }));
  return { run_id: runId, ...page(rows, q.limit, (r) => [runId, r.customer_id]) };
}
