import type { AppContext } from '../../platform/http/context';
import { claimNightly } from '../../platform/nightly';
import { addDays } from './days';
import { DEFAULT_HORIZON_DAYS, startForecastRun } from './runs';

export const FORECAST_SCHEDULE = 'forecasts';
/** Local hour of the nightly forecast run: after the day's sales are in, before stores open. */
const FORECAST_DEFAULT_HOUR = 2;

/**
 * The nightly forecast run, if due at `now` and this caller claimed the day (platform/nightly.ts):
 * fitted on history up to yesterday (local), the default horizon, in the background. Its id, or
 * null when not due or claimed elsewhere.
 */
export async function nightlyForecast(ctx: AppContext, now: Date): Promise<string | null> {
  const tz = ctx.config.timezone;
  const day = await claimNightly(ctx.database.db, FORECAST_SCHEDULE, tz, FORECAST_DEFAULT_HOUR, now);
  if (day === null) return null;
  const run = await startForecastRun(ctx.database, ctx.log, {
    historyEnd: addDays(day, -1),
    horizonDays: DEFAULT_HORIZON_DAYS,
    timezone: tz,
  });
  ctx.log.info({ run: run.id }, 'nightly forecast run started');
  return run.id;
}
