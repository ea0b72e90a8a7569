import type { AppContext } from '../../platform/http/context';
import { claimNightly } from '../../platform/nightly';
import { dayNumber } from './summary';
import { DEFAULT_HORIZON_DAYS, startClvRun } from './runs';

export const CLV_SCHEDULE = 'clv';
/** Local hour of the nightly CLV run unless configured (PUT /v1/clv/schedule): after the RFM run's. */
export const CLV_DEFAULT_HOUR = 3;

/** The day before a YYYY-MM-DD day. */
function dayBefore(day: string): string {
  return new Date((dayNumber(day)! - 1) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The nightly CLV run, if due at `now` and this caller claimed the day (platform/nightly.ts):
 * calibrated on history up to the last full day (yesterday, local), the default horizon, started
 * in the background. Its id, or null when not due or claimed elsewhere.
 */
export async function nightlyClv(ctx: AppContext, now: Date): Promise<string | null> {
  const tz = ctx.config.timezone;
  const day = await claimNightly(ctx.database.db, CLV_SCHEDULE, tz, CLV_DEFAULT_HOUR, now);
  if (day === null) return null;
  const run = await startClvRun(ctx.database, ctx.log, {
    calibrationEnd: dayBefore(day),
    horizonDays: DEFAULT_HORIZON_DAYS,
    timezone: tz,
  });
  ctx.log.info({ run: run.id }, 'nightly CLV run started');
  return run.id;
}
