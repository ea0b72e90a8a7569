import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import type { Definition } from './definition';
import { dueAt } from './enrol';
import { programOf, type Program } from './program';
import { runSteps, type EnrolmentRow } from './steps';
import { intake, type IntakeRow } from './triggers';

/**
 * The journeys' background task (workers.ts), in every process: trigger intake for each active
 * journey, then the due enrolments' steps. Our own tables serve as the job queue — pg-boss and
 * graphile-worker need a PostgreSQL server (LISTEN/NOTIFY, their own schema and pool) and do not
 * run on PGlite — with `FOR UPDATE SKIP LOCKED`: a process claims a batch of due enrolments of one
 * journey standing at the same step, runs that step for the whole batch in a few set-based
 * statements (steps.ts), and writes the batch's execution rows (primary key (enrolment, step))
 * and each enrolment's next position in that one transaction. A process killed mid-batch loses
 * the transaction whole, and the batch's steps run again, once, in whichever process claims them next.
 *
 * Locks (platform/db/locks.ts, rank 0): the batch's enrolment rows first (SKIP LOCKED: never
 * waited for), then its journey's row FOR SHARE (pausing a journey updates that row, so a pause
 * waits for batches under way and every later batch sees it paused), then what the step takes for
 * the batch, each kind in its own rank's order (persons' rows by root, the coupon keys then the
 * template, the message caps). Intake takes a transaction-level advisory lock per journey (one
 * process at a time) and no row lock.
 */

export interface RunnerOptions {
  db: Database;
  keys: KeyRing;
  log: Logger;
  timezone: string;
  /** Inactive and date triggers re-scan the base this often. */
  scanMs: number;
  /** Most enrolments one transaction takes through one step (default 500). */
  batch?: number;
}

/** A pass stops starting batches after this long, so the dispatcher's other tasks keep their pace. */
const PASS_BUDGET_MS = 1000;
/** (journey, step) groups of due enrolments read per round of a pass. */
const GROUPS = 20;

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

type Claimed = EnrolmentRow & { position: string | null };

const at = (sqlNow: Date) => sql`${sqlNow.toISOString()}::timestamptz`;
const standingAt = (position: string | null) =>
  position === null ? sql`position IS NULL` : sql`position = ${position}`;

/**
 * Claims up to `batch` due enrolments of the journey standing at `position` (only `one`, when
 * given), runs that step for them, records each one's execution and moves each on, in one
 * transaction; answers how many moved (0: none due, all taken by other processes, or the journey
 * is not active).
 */
export async function stepBatch(
  o: RunnerOptions,
  journeyId: string,
  position: string | null,
  now: Date,
  one?: string,
): Promise<number> {
  return transact(o.db, async (tx) => {
    const claimed = await sql<Claimed>`
      SELECT id, journey_id, customer_id, trigger, entered_at, variant, coupon_code, store_id, position
      FROM journey_enrolments
      WHERE journey_id = ${journeyId} AND ${standingAt(position)} AND state = 'active' AND next_run_at <= ${at(now)}
        ${one === undefined ? sql`` : sql`AND id = ${one}`}
      ORDER BY next_run_at LIMIT ${o.batch ?? 500} FOR UPDATE SKIP LOCKED`.execute(tx);
    const batch = claimed.rows;
    if (batch.length === 0) return 0;
    const ids = batch.map((e) => e.id);
    const journey = await sql<{ state: string; version: number; definition: Definition }>`
      SELECT state, version, definition FROM journeys WHERE id = ${journeyId} FOR SHARE`.execute(tx);
    const j = journey.rows[0];
    if (!j || j.state !== 'active') return 0;
    const program = programFor(journeyId, j.version, j.definition);
    const here = position === null ? undefined : program.steps.get(position);
    if (!here) {
      await sql`UPDATE journey_enrolments SET state = ${position === null ? 'completed' : 'exited'},
          exit_reason = ${position === null ? null : 'step_removed'}, position = NULL, next_run_at = NULL, updated_at = now()
        WHERE id = ANY(${ids}::text[])`.execute(tx);
      return batch.length;
    }
    const stepId = here.step.id;
    const done = await sql<{ enrolment_id: string }>`
      SELECT enrolment_id FROM journey_step_executions WHERE enrolment_id = ANY(${ids}::text[]) AND step_id = ${stepId}`.execute(
      tx,
    );
    // Never twice: a step already recorded (a definition whose steps repeat an id cannot exist) is passed over.
    const recorded = new Set(done.rows.map((r) => r.enrolment_id));
    const todo = batch.filter((e) => !recorded.has(e.id));
    const outs = todo.length ? await runSteps({ tx, keys: o.keys, now, next: here.next }, here.step, todo) : [];
    if (todo.length)
      await sql`INSERT INTO journey_step_executions (enrolment_id, step_id, journey_id, outcome, reason, result, executed_at)
        SELECT x.id, ${stepId}, ${journeyId}, x.outcome, x.reason, x.result, ${at(now)}
        FROM unnest(${todo.map((e) => e.id)}::text[], ${outs.map((r) => r.outcome)}::text[],
          ${outs.map((r) => r.reason ?? null)}::text[], ${outs.map((r) => r.result ?? null)}::text[]) AS x(id, outcome, reason, result)`.execute(
        tx,
      );
    const outcome = new Map(todo.map((e, i) => [e.id, outs[i]!]));
    const moves = batch.map((e) => {
      const out = outcome.get(e.id) ?? { outcome: 'done' as const };
      const exit = out.goto === 'exit';
      const next = exit ? null : out.goto !== undefined ? out.goto : here.next;
      const nextStep = next === null ? undefined : program.steps.get(next)?.step;
      return {
        id: e.id,
        position: next,
        due: next === null ? null : dueAt(nextStep, now, o.timezone).toISOString(),
        state: exit ? 'exited' : next === null ? 'completed' : 'active',
        reason: exit ? (out.exitReason ?? 'exit_step') : null,
        variant: out.variant ?? null,
        coupon: out.coupon ?? null,
        store: out.store ?? null,
      };
    });
    const col = <K extends keyof (typeof moves)[number]>(k: K) => moves.map((m) => m[k]);
    await sql`UPDATE journey_enrolments e SET position = x.position, next_run_at = x.due::timestamptz,
        state = x.state, exit_reason = x.reason, variant = coalesce(x.variant, e.variant),
        coupon_code = coalesce(x.coupon, e.coupon_code), store_id = coalesce(x.store, e.store_id), updated_at = now()
      FROM unnest(${col('id')}::text[], ${col('position')}::text[], ${col('due')}::text[], ${col('state')}::text[],
        ${col('reason')}::text[], ${col('variant')}::text[], ${col('coupon')}::text[], ${col('store')}::text[])
        AS x(id, position, due, state, reason, variant, coupon, store)
      WHERE e.id = x.id`.execute(tx);
    return batch.length;
  });
}

/**
 * Runs one (journey, step) group's due batches until it has none left or the pass's time is up.
 * A batch that fails (not a refusal: those are recorded) is run again one enrolment at a time, so
 * one enrolment's failure holds up no other; the failing one stays due and is logged.
 */
async function runGroup(
  o: RunnerOptions,
  g: { journey_id: string; position: string | null },
  now: () => Date,
  started: number,
): Promise<number> {
  let n = 0;
  for (;;) {
    try {
      const moved = await stepBatch(o, g.journey_id, g.position, now());
      n += moved;
      if (moved < (o.batch ?? 500) || Date.now() - started > PASS_BUDGET_MS) return n;
    } catch (err) {
      o.log.warn({ err, journey_id: g.journey_id, step_id: g.position }, 'journey batch failed; running it one by one');
      const due = await sql<{ id: string }>`
        SELECT id FROM journey_enrolments WHERE journey_id = ${g.journey_id} AND ${standingAt(g.position)}
          AND state = 'active' AND next_run_at <= ${at(now())} ORDER BY next_run_at LIMIT ${o.batch ?? 500}`.execute(
        o.db.db,
      );
      for (const { id } of due.rows)
        try {
          n += await stepBatch(o, g.journey_id, g.position, now(), id);
        } catch (e) {
          o.log.error({ err: e, enrolment_id: id, step_id: g.position }, 'journey step failed; it stays due');
        }
      return n;
    }
  }
}

/** Runs due steps of active journeys, batch by batch, within PASS_BUDGET_MS; answers how many enrolment steps ran. */
export async function runDue(o: RunnerOptions, now = () => new Date()): Promise<number> {
  const started = Date.now();
  let steps = 0;
  for (;;) {
    const groups = await sql<{ journey_id: string; position: string | null }>`
      SELECT e.journey_id, e.position FROM journey_enrolments e JOIN journeys j ON j.id = e.journey_id AND j.state = 'active'
      WHERE e.state = 'active' AND e.next_run_at <= ${at(now())}
      GROUP BY e.journey_id, e.position ORDER BY min(e.next_run_at) LIMIT ${GROUPS}`.execute(o.db.db);
    let ran = 0;
    // every pass takes at least one batch, however long reading the groups took
    for (const g of groups.rows) {
      if (steps + ran > 0 && Date.now() - started > PASS_BUDGET_MS) break;
      ran += await runGroup(o, g, now, started);
    }
    steps += ran;
    if (ran === 0 || Date.now() - started > PASS_BUDGET_MS) return steps;
  }
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
