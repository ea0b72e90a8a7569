import type { Queryable } from '../../platform/db/database';
import './tables';

const COLUMNS = [
  'customer_id',
  'recency_days',
  'frequency',
  'monetary',
  'r',
  'f',
  'm',
  'rfm',
  'segment',
  'lifecycle',
] as const;
const BATCH = 1000;

const field = (v: string | number) =>
  typeof v === 'string' && /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);

/**
 * Every score of a run, if any (of one segment, if given) as CSV lines, header first, read in keyset
 * batches so memory stays flat however many customers the run has.
 */
export async function* rfmCsv(db: Queryable, runId: string | null, segment?: string): AsyncGenerator<string> {
  yield COLUMNS.join(',') + '\n';
  if (runId === null) return;
  let after: string | null = null;
  for (;;) {
    let q = db.selectFrom('rfm_scores').select(COLUMNS).where('run_id', '=', runId).orderBy('customer_id').limit(BATCH);
    if (segment) q = q.where('segment', '=', segment);
    if (after !== null) q = q.where('customer_id', '>', after);
    const rows = await q.execute();
    if (rows.length === 0) return;
    yield rows.map((r) => COLUMNS.map((c) => field(r[c])).join(',') + '\n').join('');
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1].customer_id;
  }
}
