import { sql } from 'kysely';
import type { Queryable } from './db/database';
import { getSetting, putSetting } from './settings';

/**
 * Nightly jobs (RFM and CLV runs): each kind runs once per retailer-local day, from a configured
 * hour of that day (settings `schedule.<kind>` = `{"hour": 0..23 | null}`, null = off; a default
 * per kind otherwise). Every server process checks in its dispatcher; the first to find the run due
 * claims the day with a conditional upsert of `schedule.<kind>.last_day` — the row's lock makes a
 * second process (or a second call racing in the same one) see the day taken — so it runs once.
 * A process that starts after the hour catches up the same day; a missed day is not run later.
 */

export interface NightlySchedule {
  /** Local hour (0..23) from which the day's run is due; null: no nightly run. */
  hour: number | null;
}

const scheduleKey = (kind: string) => `schedule.${kind}`;
const claimKey = (kind: string) => `schedule.${kind}.last_day`;

/** The configured hour of a kind's nightly run (null: off), or its default when never set. */
export async function nightlyHour(db: Queryable, kind: string, defaultHour: number): Promise<number | null> {
  const s = await getSetting<NightlySchedule>(db, scheduleKey(kind));
  return s === undefined ? defaultHour : s.hour;
}

export async function setNightlyHour(db: Queryable, kind: string, hour: number | null): Promise<void> {
  await putSetting(db, scheduleKey(kind), { hour } satisfies NightlySchedule);
}

/** The local calendar day (YYYY-MM-DD) and hour (0..23) of an instant in a time zone. */
export function localDayHour(at: Date, timezone: string): { day: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: `${part('year')}-${part('month')}-${part('day')}`, hour: Number(part('hour')) };
}

/**
 * Claims today's run of `kind` if it is due at `now` (the configured hour reached in the
 * retailer's time zone, the day not yet claimed): the local day for exactly one caller, else null.
 */
export async function claimNightly(
  db: Queryable,
  kind: string,
  timezone: string,
  defaultHour: number,
  now: Date,
): Promise<string | null> {
  const hour = await nightlyHour(db, kind, defaultHour);
  const local = localDayHour(now, timezone);
  if (hour === null || local.hour < hour) return null;
  const value = JSON.stringify({ day: local.day, at: now.toISOString() });
  const r = await sql<{ key: string }>`
    INSERT INTO settings (key, value) VALUES (${claimKey(kind)}, ${value}::jsonb)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
    WHERE settings.value->>'day' < excluded.value->>'day'
    RETURNING key`.execute(db);
  return r.rows.length > 0 ? local.day : null;
}

/**
 * A dispatcher task (it runs every tick) that calls `check` at most once per `everyMs` in this
 * process; `check` claims and starts the day's run when it is due.
 */
export function nightlyTask(check: (now: Date) => Promise<unknown>, everyMs = 60_000): () => Promise<unknown> {
  let last = 0;
  return async () => {
    const now = new Date();
    if (now.getTime() - last < everyMs) return;
    last = now.getTime();
    await check(now);
  };
}
