import { describe, expect, it } from 'vitest';
import { sendAfter } from './quiet-hours';

const at = (iso: string) => new Date(iso);

describe('quiet hours', () => {
  const night = { start: '21:00', end: '09:00' };
  it('a window over midnight (Asia/Shanghai, UTC+8): delayed to its end, today or tomorrow', () => {
    expect(sendAfter(at('2026-03-01T13:00:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-02T01:00:00.000Z',
    ); // 21:00
    expect(sendAfter(at('2026-03-01T15:59:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-02T01:00:00.000Z',
    ); // 23:59
    expect(sendAfter(at('2026-03-01T16:00:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-02T01:00:00.000Z',
    ); // 00:00
    expect(sendAfter(at('2026-03-02T00:59:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-02T01:00:00.000Z',
    ); // 08:59
    expect(sendAfter(at('2026-03-02T01:00:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-02T01:00:00.000Z',
    ); // 09:00: out
    expect(sendAfter(at('2026-03-01T12:59:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-01T12:59:00.000Z',
    ); // 20:59: out
  });

  it('a window within a day, and a month end', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(sendAfter(at('2026-03-01T04:30:00Z'), lunch, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-01T06:00:00.000Z',
    );
    expect(sendAfter(at('2026-03-01T06:00:00Z'), lunch, 'Asia/Shanghai').toISOString()).toBe(
      '2026-03-01T06:00:00.000Z',
    );
    expect(sendAfter(at('2026-01-31T14:30:00Z'), night, 'Asia/Shanghai').toISOString()).toBe(
      '2026-02-01T01:00:00.000Z',
    );
  });

  it('follows a daylight-saving zone: the end is local 09:00 on either side of the change', () => {
    // Europe/Berlin moves to summer time on 29 March 2026 (02:00 → 03:00).
    expect(sendAfter(at('2026-03-28T21:00:00Z'), night, 'Europe/Berlin').toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    expect(sendAfter(at('2026-03-27T21:00:00Z'), night, 'Europe/Berlin').toISOString()).toBe(
      '2026-03-28T08:00:00.000Z',
    );
  });

  it('none: at once', () => {
    expect(sendAfter(at('2026-03-01T15:00:00Z'), null, 'Asia/Shanghai').toISOString()).toBe('2026-03-01T15:00:00.000Z');
  });
});
