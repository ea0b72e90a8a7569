/** Wall-clock times in the retailer's time zone (the calendar's days and the booking form's times). */

function parts(ms: number, tz: string): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** The day (YYYY-MM-DD) and time (HH:MM) of an instant in `tz`. */
export function zonedDayTime(iso: string, tz: string): { day: string; time: string } {
  const p = parts(Date.parse(iso), tz);
  return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour === '24' ? '00' : p.hour}:${p.minute}` };
}

/** The instant of a wall-clock day and time in `tz` (ISO), e.g. 2026-12-06 10:00 Asia/Shanghai → 02:00Z. */
export function zonedInstant(day: string, time: string, tz: string): string {
  const guess = Date.parse(`${day}T${time}:00Z`);
  const seen = zonedDayTime(new Date(guess).toISOString(), tz);
  const offset = Date.parse(`${seen.day}T${seen.time}:00Z`) - guess;
  return new Date(guess - offset).toISOString();
}

/** The day `n` days after `day`. */
export function plusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
