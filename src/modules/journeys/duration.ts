/**
 * ISO-8601 durations as journeys' waits use them (`PT2S`, `PT10M`, `P3D`, `P1W`, `P1DT12H`):
 * weeks, days, hours, minutes and seconds, whole numbers; a day is 24 hours. Years and months
 * (of varying length) are refused.
 */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const MAX_MS = 366 * 86_400_000;

/** The duration in milliseconds, or null when it is not one (or zero, or longer than 366 days). */
export function durationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  const ms = ((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
  return ms > 0 && ms <= MAX_MS ? ms : null;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Is this `HH:MM` (24-hour)? */
export const isTimeOfDay = (text: string) => TIME_OF_DAY.test(text);

/** Minutes past local midnight of an instant in a time zone, and the offset of that zone then (ms). */
function localClock(at: Date, timezone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { minutes: part('hour') * 60 + part('minute'), seconds: part('second') };
}

/**
 * The next instant after `now` at which the clock in `timezone` reads `hhmm` (today's if still
 * ahead, else tomorrow's). Time zones without daylight saving (Asia/Shanghai) are exact; across
 * a daylight-saving change it may be an hour off.
 */
export function nextTimeOfDay(now: Date, hhmm: string, timezone: string): Date {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const { minutes, seconds } = localClock(now, timezone);
  let ahead = (h * 60 + m - minutes) * 60 - seconds;
  if (ahead <= 0) ahead += 86_400;
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + ahead * 1000);
}
