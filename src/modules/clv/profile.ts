import { Type } from '@sinclair/typebox';
import type { Queryable, Tx } from '../../platform/db/database';
import { registerErasureStep } from '../customers/public';
import { registerProfileSection } from '../customers/public';
import { latestDoneClvRun, SCORE_COLUMNS, scoreView } from './runs';
import './tables';

/** The person's predictions in the latest done CLV run (kept under the group's root), or null. */
async function clvOf(db: Queryable, members: string[]) {
  const run = await latestDoneClvRun(db);
  if (!run || members.length === 0) return null;
  const row = await db
    .selectFrom('clv_scores')
    .select(SCORE_COLUMNS)
    .where('run_id', '=', run.id)
    .where('customer_id', 'in', members)
    .executeTakeFirst();
  if (!row) return null;
  const { customer_id: _id, ...score } = scoreView(row);
  return {
    run_id: run.id,
    calibration_end: run.calibration_end,
    horizon_days: run.horizon_days,
    ...score,
    churn_risk: 1 - score.p_alive,
  };
}

const ClvSectionSchema = Type.Union(
  [
    Type.Object({
      run_id: Type.String(),
      calibration_end: Type.String({ format: 'date' }),
      horizon_days: Type.Integer(),
      frequency: Type.Integer({ description: 'repeat purchase days (x)' }),
      recency: Type.Number({ description: 'weeks from the first to the last purchase day (t_x)' }),
      T: Type.Number({ description: 'weeks from the first purchase day to the calibration end' }),
      p_alive: Type.Number({ description: 'P(still a customer), BG/NBD' }),
      churn_risk: Type.Number({ description: '1 − p_alive' }),
      expected_orders: Type.Number({ description: 'expected purchase days within horizon_days' }),
      expected_avg_value: Type.Integer({ description: 'fen, Gamma-Gamma' }),
      expected_value: Type.Integer({ description: 'fen: expected_orders × expected_avg_value' }),
    }),
    Type.Null(),
  ],
  { description: 'lifetime value in the latest done CLV run; null when the person has none (clv)' },
);

/** An erased person's predictions go: they are a profile of the person. */
async function eraseScores(tx: Tx, scope: { ids: string[] }): Promise<number> {
  if (scope.ids.length === 0) return 0;
  const r = await tx.deleteFrom('clv_scores').where('customer_id', 'in', scope.ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}

registerProfileSection('clv', clvOf, ClvSectionSchema);
registerErasureStep('clv', eraseScores);
