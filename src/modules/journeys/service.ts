import { sql } from 'kysely';
import type { Database, Queryable } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { conflict, notFound } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import { cancelQueuedMessages } from '../messaging/public';
import type { Definition } from './definition';
import type { JourneyState } from './tables';
import './tables';

/** Journeys: create (a draft), read, and the state changes activate, pause, archive. */

interface Row {
  id: string;
  name: string;
  definition: Pick<Definition, 'trigger' | 'steps' | 'goal'>;
  state: JourneyState;
  holdout_percent: number;
  reentry: boolean;
  version: number;
  activated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export function journeyView(r: Row) {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    trigger: r.definition.trigger,
    steps: r.definition.steps,
    goal: r.definition.goal,
    holdout_percent: r.holdout_percent,
    reentry: r.reentry,
    version: r.version,
    activated_at: iso(r.activated_at),
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}
export type JourneyView = ReturnType<typeof journeyView>;

const columns = sql`id, name, definition, state, holdout_percent, reentry, version, activated_at, created_at, updated_at`;

export async function createJourney(db: Queryable, d: Definition): Promise<JourneyView> {
  const definition = { trigger: d.trigger, steps: d.steps, goal: d.goal };
  const r = await sql<Row>`
    INSERT INTO journeys (id, name, definition, holdout_percent, reentry)
    VALUES (${newId('jrn')}, ${d.name}, ${JSON.stringify(definition)}::jsonb, ${d.holdout_percent}, ${d.reentry})
    RETURNING ${columns}`.execute(db);
  return journeyView(r.rows[0]!);
}

export async function getJourney(db: Queryable, id: string): Promise<JourneyView> {
  const r = await sql<Row>`SELECT ${columns} FROM journeys WHERE id = ${id}`.execute(db);
  if (!r.rows[0]) throw notFound('journey', 'id');
  return journeyView(r.rows[0]);
}

export async function listJourneys(db: Queryable, state?: JourneyState): Promise<JourneyView[]> {
  const r = await sql<Row>`SELECT ${columns} FROM journeys
    ${state ? sql`WHERE state = ${state}` : sql``} ORDER BY created_at DESC, id`.execute(db);
  return r.rows.map(journeyView);
}

const ALLOWED: Record<'activate' | 'pause' | 'archive', { from: JourneyState[]; to: JourneyState }> = {
  activate: { from: ['draft', 'paused', 'active'], to: 'active' },
  pause: { from: ['active', 'paused'], to: 'paused' },
  archive: { from: ['draft', 'active', 'paused', 'archived'], to: 'archived' },
};

/**
 * Changes a journey's state (repeating the current one is a no-op). Activating a draft starts its
 * triggers from now (events and segment entries after it; inactive and date triggers scan the
 * history at the next tick). Pausing or archiving cancels its queued messages in the same
 * transaction, under the journey row's lock, which the runner's steps share: no step of it runs
 * after this commits. 409 journey_state for a change not allowed (an archived journey stays so).
 */
export async function changeState(db: Database, id: string, action: keyof typeof ALLOWED): Promise<JourneyView> {
  return transact(db, async (tx) => {
    const cur = await sql<Row>`SELECT ${columns} FROM journeys WHERE id = ${id} FOR UPDATE`.execute(tx);
    const j = cur.rows[0];
    if (!j) throw notFound('journey', 'id');
    const rule = ALLOWED[action];
    if (!rule.from.includes(j.state))
      throw conflict(
        'journey_state',
        `a ${j.state} journey cannot be ${action === 'activate' ? 'activated' : action + 'd'}`,
        'id',
      );
    if (j.state === rule.to) return journeyView(j);
    const first = action === 'activate' && j.activated_at === null;
    const r = await sql<Row>`UPDATE journeys SET state = ${rule.to}, updated_at = now()
        ${first ? sql`, activated_at = now(), cursor_at = now()` : sql``}
      WHERE id = ${id} RETURNING ${columns}`.execute(tx);
    if (rule.to !== 'active') await cancelQueuedMessages(tx, { journeyId: id });
    return journeyView(r.rows[0]!);
  });
}
