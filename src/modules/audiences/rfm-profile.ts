import { Type } from '@sinclair/typebox';
import type { Queryable, Tx } from '../../platform/db/database';
import { registerErasureStep } from '../customers/public';
import { registerProfileSection } from '../customers/public';
import { LIFECYCLE_STAGES, RFM_SEGMENTS } from './rfm-segments';
import { latestDoneRun } from './rfm-service';
import { StringEnum } from '../../platform/http/schemas';
import './tables';

/** The person's scores in the latest done run (scores are kept under the group's root), or null. */
async function rfmOf(db: Queryable, members: string[]) {
  const run = await latestDoneRun(db);
  if (!run || members.length === 0) return null;
  const row = await db
    .selectFrom('rfm_scores')
    .select(['recency_days', 'frequency', 'monetary', 'r', 'f', 'm', 'rfm', 'segment', 'lifecycle'])
    .where('run_id', '=', run.id)
    .where('customer_id', 'in', members)
    .executeTakeFirst();
  return row ? { run_id: run.id, as_of: run.as_of.toISOString(), ...row, monetary: Number(row.monetary) } : null;
}

const RfmSectionSchema = Type.Union(
  [
    Type.Object({
      run_id: Type.String(),
      as_of: Type.String({ format: 'date-time' }),
      recency_days: Type.Integer(),
      frequency: Type.Integer(),
      monetary: Type.Integer({ description: 'fen' }),
      r: Type.Integer(),
      f: Type.Integer(),
      m: Type.Integer(),
      rfm: Type.String(),
      segment: StringEnum(RFM_SEGMENTS),
      lifecycle: StringEnum(LIFECYCLE_STAGES),
    }),
    Type.Null(),
  ],
  { description: 'RFM scores of the latest done run; null when the person has none (audiences)' },
);

/** An erased person's scores go: they are a profile of the person, and erased people are never scored. */
async function eraseScores(tx: Tx, scope: { ids: string[] }): Promise<number> {
  if (scope.ids.length === 0) return 0;
  const r = await tx.deleteFrom('rfm_scores').where('customer_id', 'in', scope.ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}

registerProfileSection('rfm', rfmOf, RfmSectionSchema);
registerErasureStep('rfm', eraseScores);
