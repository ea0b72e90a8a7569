import type { Queryable } from '../../platform/db/database';
import { SCORE_COLUMNS, scoreView } from './runs';
import './tables';

const HEADER = 'customer_id,frequency,recency,T,p_alive,expected_orders,expected_avg_value,expected_value\n';
const BATCH = 1000;

const field = (v: string | number) =>
  typeof v === 'string' && /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v);

/**
 * Every score of a run, if any, as CSV lines (header first), highest expected value first, read in
 * keyset batches so memory stays flat however many customers the run has.
 */
export async function* clvCsv(db: Queryable, runId: string | null): AsyncGenerator<string> {
  yield HEADER;
  if (runId === null) return;
  let after: { value: string; id: string } | null = null;
  for (;;) {
    let q = db
      .selectFrom('clv_scores')
      .select(SCORE_COLUMNS)
      .where('run_id', '=', runId)
      .orderBy('expected_value', 'desc')
      .orderBy('customer_id')
      .limit(BATCH);
    if (after) {
      const { value, id } = after;
      q = q.where((eb) =>
        eb.or([
          eb('expected_value', '<', value),
          eb.and([eb('expected_value', '=', value), eb('customer_id', '>', id)]),
        ]),
      );
    }
    const rows = await q.execute();
    if (rows.length === 0) return;
    yield rows
      .map((r) => {
        const s = scoreView(r);
        return (
          [
            s.customer_id,
            s.frequency,
            s.recency,
            s.T,
            s.p_alive,
            s.expected_orders,
            s.expected_avg_value,
            s.expected_value,
          ]
            .map(field)
            .join(',') + '\n'
        );
      })
      .join('');
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1];
    after = { value: last.expected_value, id: last.customer_id };
  }
}
