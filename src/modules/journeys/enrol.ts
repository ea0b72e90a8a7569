import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { newId } from '../../platform/ids';
import type { Definition, Step } from './definition';
import { durationMs, nextTimeOfDay } from './duration';
import { bucket, programOf } from './program';

/** A journey as the runner and the triggers read it. */
export interface JourneyRow {
  id: string;
  definition: Pick<Definition, 'trigger' | 'steps' | 'goal'>;
  holdout_percent: number;
  reentry: boolean;
}

/** Someone a trigger found: the root of their group, what makes this entry unique, the trigger's payload. */
export interface Entrant {
  root: string;
  key: string;
  payload: Record<string, unknown>;
}

/** When a step that becomes current at `now` is due: a wait's end, else now. */
export function dueAt(step: Step | undefined, now: Date, timezone: string): Date {
  if (step && 'wait' in step)
    return 'duration' in step.wait
      ? new Date(now.getTime() + durationMs(step.wait.duration)!)
      : nextTimeOfDay(now, step.wait.until_time_of_day, timezone);
  return now;
}

/** Is the person in the journey's holdout: a stable bucket of (journey, person) under holdout_percent. */
export const inHoldout = (journeyId: string, root: string, percent: number) => bucket(journeyId, root) < percent;

/**
 * Enrols entrants in the journey, once per (journey, trigger key); without reentry only people
 * never enrolled, with it only people not enrolled now. Inactive and date triggers re-enter
 * always (their key is the occasion: an inactive spell, a year's date). Holdout entrants are recorded completed
 * and receive nothing. One statement; answers how many entered.
 */
export async function enrol(tx: Tx, j: JourneyRow, entrants: Entrant[], now: Date, timezone: string): Promise<number> {
  const seen = new Set<string>();
  const fresh = entrants.filter((e) => !seen.has(e.root) && seen.add(e.root));
  if (fresh.length === 0) return 0;
  const program = programOf(j.definition.steps);
  const firstDue = dueAt(program.first ? program.steps.get(program.first)!.step : undefined, now, timezone);
  const again = j.reentry || 'inactive' in j.definition.trigger || 'date_trait' in j.definition.trigger;
  const holdout = fresh.map((e) => inHoldout(j.id, e.root, j.holdout_percent));
  const r = await sql`
    INSERT INTO journey_enrolments
      (id, journey_id, customer_id, trigger_key, trigger, entered_at, holdout, state, position, next_run_at)
    SELECT x.id, ${j.id}, x.root, x.key, x.payload::jsonb, ${now.toISOString()}::timestamptz, x.holdout,
      CASE WHEN x.holdout THEN 'completed' ELSE 'active' END,
      CASE WHEN x.holdout THEN NULL ELSE ${program.first}::text END,
      CASE WHEN x.holdout THEN NULL ELSE ${firstDue.toISOString()}::timestamptz END
    FROM unnest(${fresh.map(() => newId('jen'))}::text[], ${fresh.map((e) => e.root)}::text[],
      ${fresh.map((e) => e.key)}::text[], ${fresh.map((e) => JSON.stringify(e.payload))}::text[],
      ${holdout}::boolean[]) AS x(id, root, key, payload, holdout)
    WHERE NOT EXISTS (SELECT 1 FROM journey_enrolments e WHERE e.journey_id = ${j.id} AND e.customer_id = x.root
      ${again ? sql`AND e.state = 'active'` : sql``})
    ON CONFLICT (journey_id, trigger_key) DO NOTHING`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}
