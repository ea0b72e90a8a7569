/** Calendar days as YYYY-MM-DD text and as day numbers (days since 1970-01-01, UTC arithmetic). */

const DAY_MS = 86_400_000;

/** The day number of a YYYY-MM-DD date, or null when it is not a real calendar date. */
export function dayNumber(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === day ? ms / DAY_MS : null;
}

export const isoDay = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

export const addDays = (day: string, n: number): string => isoDay(dayNumber(day)! + n);

/** 0 = Monday … 6 = Sunday of a day number (1970-01-01 was a Thursday). */
export const weekday = (n: number): number => (((n + 3) % 7) + 7) % 7;
