import type { AppContext } from '../../platform/http/context';
import { claimNightly } from '../../platform/nightly';
import { DEFAULT_WINDOW_DAYS, startRfmRun } from './rfm-service';

export const RFM_SCHEDULE = 'rfm';
/** Local hour of the nightly RFM run unless configured (PUT /v1/rfm/schedule). */
export const RFM_DEFAULT_HOUR = 2;

/**
 * The nightly RFM run, if due at `now` and this caller claimed the day (platform/nightly.ts): as of
 * now, over the default window and lifecycle thresholds, started in the background. Its id, or
 * null when not due or claimed elsewhere.
 */
export async function nightlyRfm(ctx: AppContext, now: Date): Promise<string | null> {
  const day = await claimNightly(ctx.database.db, RFM_SCHEDULE, ctx.config.timezone, RFM_DEFAULT_HOUR, now);
  if (day === null) return null;
  const run = await startRfmRun(ctx.database, ctx.log, { asOf: now, windowDays: DEFAULT_WINDOW_DAYS });
  ctx.log.info({ run: run.id }, 'nightly RFM run started');
  return run.id;
}
