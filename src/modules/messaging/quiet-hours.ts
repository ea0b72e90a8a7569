import type { QuietHours } from './settings';

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The local wall clock of an instant in a zone: date parts and minute of the day. */
function wallClock(at: Date, tz: string): { y: number; m: number; d: number; minute: number } {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at))
    p[x.type] = x.value;
  return {
    y: Number(p.year),
    m: Number(p.month) - 1,
    d: Number(p.day),
    minute: Number(p.hour) * 60 + Number(p.minute),
  };
}

/** The instant a local wall-clock time happens in the zone (offset from Intl, corrected once around a DST change). */
function instantOf(y: number, m: number, d: number, minute: number, tz: string): Date {
  const wall = Date.UTC(y, m, d, 0, minute);
  const offset = (t: number) => {
    const w = wallClock(new Date(t), tz);
    return Date.UTC(w.y, w.m, w.d, 0, w.minute) - Math.floor(t / 60000) * 60000;
  };
  let t = wall - offset(wall);
  t = wall - offset(t);
  return new Date(t);
}

/**
 * When a message queued at `now` may be sent: `now` outside quiet hours, else the end of the quiet
 * window (the window's end today or, when it has passed, tomorrow), in the retailer's time zone.
 */
export function sendAfter(now: Date, quiet: QuietHours | null, tz: string): Date {
  if (!quiet) return now;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const w = wallClock(now, tz);
  const inWindow = start < end ? w.minute >= start && w.minute < end : w.minute >= start || w.minute < end;
  if (!inWindow) return now;
  // The window's end is later today when now is before it, else tomorrow.
  const dayOffset = w.minute < end ? 0 : 1;
  return instantOf(w.y, w.m, w.d + dayOffset, end, tz);
}
