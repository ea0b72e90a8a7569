/**
 * Calendar arithmetic in the retailer's time zone (no DST assumptions: offsets come from Intl).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function localParts(tz: string, at: Date): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, string> = {};
  for (const x of formatter(tz).formatToParts(at)) p[x.type] = x.value;
  return {
    y: Number(p.year),
    m: Number(p.month) - 1,
    d: Number(p.day),
    h: Number(p.hour),
    mi: Number(p.minute),
    s: Number(p.second),
  };
}

/** The zone's offset from UTC at an instant, in ms (Shanghai: +8 h). */
function offsetMs(tz: string, at: Date): number {
  const p = localParts(tz, at);
  return Date.UTC(p.y, p.m, p.d, p.h, p.mi, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a local wall-clock midnight on the first of a month happens in the zone. */
function startOfLocalMonth(tz: string, y: number, m: number): Date {
  const wall = Date.UTC(y, m, 1);
  let t = wall - offsetMs(tz, new Date(wall));
  t = wall - offsetMs(tz, new Date(t));
  return new Date(t);
}

/**
 * When points earned at `earnedAt` expire: the end of the `months`-th month after the month of
 * earning, in the retailer's time zone (earned 15 March 2025, 12 months → gone from 1 April 2026
 * 00:00 local). A bucket is expired when expires_at <= now.
 */
export function expiryOf(earnedAt: Date, months: number, tz: string): Date {
  const p = localParts(tz, earnedAt);
  return startOfLocalMonth(tz, p.y, p.m + months + 1);
}

/** The local calendar day (YYYY-MM-DD) of an instant in the zone. */
export function localDay(at: Date, tz: string): string {
  const p = localParts(tz, at);
  return `${p.y}-${String(p.m + 1).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

let retailerTimezone = process.env.SANTONG_TIMEZONE || 'Asia/Shanghai';

/** The zone service functions use when a caller does not pass one (set from ctx.config.timezone at start). */
export function setRetailerTimezone(tz: string): void {
  retailerTimezone = tz;
}

export function currentTimezone(): string {
  return retailerTimezone;
}
