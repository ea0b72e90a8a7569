import type { OpeningHours } from '../locations/service';

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in km. */
export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLng = (lng2 - lng1) * toRad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The last answer: routing asks for every location at one moment, mostly in one time zone. */
let last: { timezone: string; minute: number; parts: { day: string; minutes: number } } | null = null;

function localParts(at: Date, timezone: string): { day: string; minutes: number } {
  const minute = Math.floor(at.getTime() / 60_000);
  if (last && last.minute === minute && last.timezone === timezone) return last.parts;
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  let day = 'mon';
  let hour = 0;
  let min = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') day = p.value.slice(0, 3).toLowerCase();
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') min = Number(p.value);
  }
  last = { timezone, minute, parts: { day, minutes: hour * 60 + min } };
  return last.parts;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Whether a location is open at a moment, in its own time zone; no hours means always open. */
export function isOpen(hours: OpeningHours | null, timezone: string, at: Date): boolean {
  if (!hours) return true;
  const { day, minutes } = localParts(at, timezone);
  const ranges = hours[day];
  if (!ranges) return false;
  return ranges.some(([open, close]) => {
    const o = toMinutes(open);
    const c = toMinutes(close);
    return c > o ? minutes >= o && minutes < c : minutes >= o || minutes < c; // past midnight
  });
}

/**
 * Whether a location is open for the whole of [from, to) (a service booked at a store), in its own
 * time zone: the span lies within one opening range of the start's day, or of the day before when
 * that range runs past midnight. No hours means always open.
 */
export function openThroughout(hours: OpeningHours | null, timezone: string, from: Date, to: Date): boolean {
  if (!hours) return true;
  const { day, minutes } = localParts(from, timezone);
  const end = minutes + Math.ceil((to.getTime() - from.getTime()) / 60_000);
  const dayBefore = DAY_KEYS[(DAY_KEYS.indexOf(day) + 6) % 7];
  // each range in minutes from the start day's midnight (the day before's shifted back a day)
  const fits = (ranges: [string, string][] | undefined, shift: number) =>
    (ranges ?? []).some(([open, close]) => {
      const o = toMinutes(open) + shift;
      let c = toMinutes(close) + shift;
      if (c <= o) c += 1440; // past midnight
      return minutes >= o && end <= c;
    });
  return fits(hours[day], 0) || fits(hours[dayBefore], -1440);
}

export const DAY_NAMES = DAY_KEYS;
