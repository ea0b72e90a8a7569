import type { Database } from '../platform/db/database';
import { createForecastEvent, runForecastNow } from '../modules/forecasts/demo';

/**
 * The demo's events calendar (the last and the coming 618 and 双11, and a store campaign in the
 * next fortnight, so the forecast chart shows one) and a forecast run on its history up to yesterday.
 */
export async function seedDemoForecasts(database: Database, today: string, timezone: string): Promise<void> {
  const year = Number(today.slice(0, 4));
  const next = (md: string) => (`${year}-${md}` > today ? `${year}-${md}` : `${year + 1}-${md}`);
  const last = (md: string) => (`${year}-${md}` < today ? `${year}-${md}` : `${year - 1}-${md}`);
  const plusDays = (n: number) =>
    new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const events = [
    // the last ones too: the history's peaks (demo/history.ts) are divided out before fitting
    { name: '618 年中大促', kind: 'holiday' as const, starts_on: last('06-16'), ends_on: last('06-18'), uplift: 2.5 },
    { name: '双11', kind: 'holiday' as const, starts_on: last('11-09'), ends_on: last('11-11'), uplift: 2.5 },
    { name: '618 年中大促', kind: 'holiday' as const, starts_on: next('06-16'), ends_on: next('06-18'), uplift: 2.5 },
    { name: '双11', kind: 'holiday' as const, starts_on: next('11-09'), ends_on: next('11-11'), uplift: 3 },
    { name: '会员周末特惠', kind: 'campaign' as const, starts_on: plusDays(9), ends_on: plusDays(10), uplift: 1.6 },
  ];
  for (const e of events) await createForecastEvent(database.db, e);
  await runForecastNow(database, { historyEnd: plusDays(-1), horizonDays: 28, timezone });
}
