import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import type { Definition } from './definition';
import { dueAt } from './enrol';
import { programOf, type Program } from './program';
import { runStep, type EnrolmentRow } from './steps';
import { intake, type IntakeRow } from './triggers';

/**
 * The journeys' background task (workers.ts), in every process: trigger intake for each active
 * journey, then the due enrolments' steps. Our own tables serve as the job queue — pg-boss and
 * graphile-worker need a PostgreSQL server (LISTEN/NOTIFY, their own schema and pool) and do not
 * run on PGlite — with `FOR UPDATE SKIP LOCKED`: a process claims one enrolment at a time in a
 * short transaction, runs ONE step and writes its execution row (primary key (enrolment, step))
 * and the enrolment's next position in that transaction. A process killed mid-step loses the
 * transaction whole, and the step runs again, once, in whichever process claims it next.
 *
 * Locks (platform/db/locks.ts, rank 0): the enrolment row first, then its journey's row FOR SHARE
 * (pausing a journey updates that row, so a pause waits for steps under way and every later step
 * sees it paused), then what the step takes (persons, a coupon template, a message cap). Intake
 * takes a transaction-level advisory lock per journey (one process at a time) and no row lock.
 */

export interface RunnerOptions {
  db: Database;
  keys: KeyRing;
  log: Logger;
  timezone: string;
  /** Inactive and date triggers re-scan the base this often. */
  scanMs: number;
}

/** Steps one enrolment may take in one pass before others get their turn. */
const STEPS_PER_PASS = 50;
/** Due enrolments read per pass. */
const BATCH = 200;
/** A pass stops taking new enrolments after this long, so the dispatcher's other tasks keep their pace. */
const PASS_BUDGET_MS = 1000;

const programs = new Map<string, { version: number; program: Program }>();
function programFor(id: string, version: number, def: Pick<Definition, 'steps'>): Program {
  const hit = programs.get(id);
  if (hit && hit.version === version) return hit.program;
  const program = programOf(def.steps);
  programs.set(id, { version, program });
  return program;
}

/** Trigger intake for every active journey; answers how many entered. */
export async function runIntake(o: RunnerOptions, now = new Date()): Promise<number> {
  const journeys = await sql<{ id: string }>`SELECT id FROM journeys WHERE state = 'active' ORDER BY id`.execute(
    o.db.db,
  );
  let n = 0;
  for (const { id } of journeys.rows)
    n += await transact(o.db, async (tx) => {
      const mine = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_xact_lock(hashtextextended(${`journey-intake:${id}`}, 0)) AS ok`.execute(tx);
      if (!mine.rows[0]?.ok) return 0;
      const j = await sql<IntakeRow & { state: string }>`
        SELECT id, definition, holdout_percent, reentry, cursor_at, scanned_at, state FROM journeys WHERE id = ${id}`.execute(
        tx,
      );
      const row = j.rows[0];
      if (!row || row.state !== 'active') return 0;
      return intake(
        tx,
        o.keys,
        {
          ...row,
          cursor_at: row.cursor_at && new Date(row.cursor_at),
          scanned_at: row.scanned_at && new Date(row.scanned_at),
        },
        now,
        o.timezone,
        o.scanMs,
      );
    });
  return n;
}

/**
 * Claims the enrolment if it is due and its journey active, runs its current step, records it and
 * moves on; answers whether a step ran (false: not due, taken by another process, or paused).
 */
export async function stepOnce(o: RunnerOptions, enrolmentId: string, now = new Date()): Promise<boolean> {
  return transact(o.db, async (tx) => {
    const claimed = await sql<EnrolmentRow & { position: string | null }>`
      SELECT id, journey_id, customer_id, trigger, entered_at, variant, coupon_code, store_id, position
      FROM journey_enrolments
      WHERE id = ${enrolmentId} AND state = 'active' AND next_run_at <= ${now.toISOString()}::timestamptz
      FOR UPDATE SKIP LOCKED`.execute(tx);
    const e = claimed.rows[0];
    if (!e) return false;
    const journey = await sql<{ state: string; version: number; definition: Definition }>`
      SELECT state, version, definition FROM journeys WHERE id = ${e.journey_id} FOR SHARE`.execute(tx);
    const j = journey.rows[0];
    if (!j || j.state !== 'active') return false;
    const program = programFor(e.journey_id, j.version, j.definition);
    const at = e.position === null ? undefined : program.steps.get(e.position);
    if (!at) {
      await sql`UPDATE journey_enrolments SET state = ${e.position === null ? 'completed' : 'exited'},
          exit_reason = ${e.position === null ? null : 'step_removed'}, position = NULL, next_run_at = NULL, updated_at = now()
        WHERE id = ${e.id}`.execute(tx);
      return true;
    }
    const done =
      await sql`SELECT 1 FROM journey_step_executions WHERE enrolment_id = ${e.id} AND step_id = ${at.step.id}`.execute(
        tx,
      );
    // Never twice: a step already recorded (a definition whose steps repeat an id cannot exist) is passed over.
    const out = done.rows.length
      ? { outcome: 'done' as const }
      : await runStep({ tx, keys: o.keys, now, enrolment: e, next: at.next }, at.step);
    if (!done.rows.length)
      await sql`INSERT INTO journey_step_executions (enrolment_id, step_id, journey_id, outcome, reason, result, executed_at)
        VALUES (${e.id}, ${at.step.id}, ${e.journey_id}, ${out.outcome}, ${out.reason ?? null}, ${out.result ?? null},
          ${now.toISOString()}::timestamptz)`.execute(tx);
    const exit = out.goto === 'exit';
    const next = exit ? null : out.goto !== undefined ? out.goto : at.next;
    const nextStep = next === null ? undefined : program.steps.get(next)?.step;
    await sql`UPDATE journey_enrolments SET
        position = ${next}, next_run_at = ${next === null ? null : dueAt(nextStep, now, o.timezone).toISOString()}::timestamptz,
        state = ${exit ? 'exited' : next === null ? 'completed' : 'active'}, exit_reason = ${exit ? (out.exitReason ?? 'exit_step') : null},
        variant = coalesce(${out.variant ?? null}, variant), coupon_code = coalesce(${out.coupon ?? null}, coupon_code),
        store_id = coalesce(${out.store ?? null}, store_id),
        updated_at = now()
      WHERE id = ${e.id}`.execute(tx);
    return true;
  });
}

/** Runs the due steps of up to BATCH enrolments of active journeys, within PASS_BUDGET_MS; answers how many steps ran. */
export async function runDue(o: RunnerOptions, now = () => new Date()): Promise<number> {
  const started = Date.now();
  const due = await sql<{ id: string }>`
    SELECT e.id FROM journey_enrolments e JOIN journeys j ON j.id = e.journey_id AND j.state = 'active'
    WHERE e.state = 'active' AND e.next_run_at <= ${now().toISOString()}::timestamptz
    ORDER BY e.next_run_at LIMIT ${BATCH}`.execute(o.db.db);
  let steps = 0;
  for (const { id } of due.rows) {
    if (Date.now() - started > PASS_BUDGET_MS) break;
    for (let i = 0; i < STEPS_PER_PASS && (await stepOnce(o, id, now())); i++) steps++;
  }
  return steps;
}

/** The dispatcher task: intake and due steps at most every `tickMs`. */
export function journeyTask(o: RunnerOptions, tickMs: number): () => Promise<void> {
  let last = 0;
  return async () => {
    if (Date.now() - last < tickMs) return;
    last = Date.now();
    await runIntake(o);
    await runDue(o);
  };
}
