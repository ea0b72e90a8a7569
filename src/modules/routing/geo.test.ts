import { describe, expect, it } from 'vitest';
import { openThroughout } from './geo';

/** openThroughout: a span within one opening range, in the location's own time zone. */
const TZ = 'Asia/Shanghai';
// 2026-12-07 is a Monday; times are Shanghai's (UTC+8)
const at = (day: string, hhmm: string) => new Date(`2026-12-${day}T${hhmm}:00+08:00`);
const span = (day: string, hhmm: string, minutes: number) => {
  const from = at(day, hhmm);
  return [from, new Date(from.getTime() + minutes * 60_000)] as const;
};

describe('openThroughout', () => {
  const day = { mon: [['09:00', '18:00']] as [string, string][] };

  it('holds a span from opening to closing, not one starting before or ending after', () => {
    expect(openThroughout(day, TZ, ...span('07', '09:00', 540))).toBe(true);
    expect(openThroughout(day, TZ, ...span('07', '08:59', 60))).toBe(false);
    expect(openThroughout(day, TZ, ...span('07', '17:30', 31))).toBe(false);
    expect(openThroughout(day, TZ, ...span('08', '10:00', 60))).toBe(false); // Tuesday: closed
  });

  it('follows a range past midnight, from its own day into the next', () => {
    const night = { fri: [['18:00', '02:00']] as [string, string][] };
    expect(openThroughout(night, TZ, ...span('11', '23:30', 150))).toBe(true); // Fri 23:30 → Sat 02:00
    expect(openThroughout(night, TZ, ...span('12', '01:00', 60))).toBe(true); // Sat 01:00, Friday's range
    expect(openThroughout(night, TZ, ...span('12', '01:30', 60))).toBe(false);
    expect(openThroughout(night, TZ, ...span('12', '18:00', 60))).toBe(false); // Saturday evening: closed
  });

  it('holds any span without opening hours, and a whole day of 00:00–24:00', () => {
    expect(openThroughout(null, TZ, ...span('07', '03:00', 60))).toBe(true);
    expect(openThroughout({ mon: [['00:00', '24:00']] }, TZ, ...span('07', '00:00', 1440))).toBe(true);
  });
});
