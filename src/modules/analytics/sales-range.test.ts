import { describe, expect, it } from 'vitest';
import { checkRange, comparedRange } from './sales';

const day = (d: Date) => d.toISOString().slice(0, 10);

describe('sales date ranges', () => {
  it('compares with the same number of days just before, or the same dates a year earlier', () => {
    const r = checkRange('2026-03-01', '2026-03-07');
    const prev = comparedRange(r.from, r.to, 'previous_period');
    expect([day(prev.from), day(prev.to)]).toEqual(['2026-02-22', '2026-02-28']);
    const leap = checkRange('2024-02-01', '2024-02-29');
    const year = comparedRange(leap.from, leap.to, 'previous_year');
    expect([day(year.from), day(year.to)]).toEqual(['2023-02-01', '2023-02-28']);
    const month = comparedRange(leap.from, leap.to, 'previous_period');
    expect([day(month.from), day(month.to)]).toEqual(['2024-01-03', '2024-01-31']);
  });

  it('refuses impossible dates, reversed ranges and more than 3 years, naming the field', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { field?: string }).field;
      }
      return 'accepted';
    };
    expect(field(() => checkRange('2025-02-29', '2025-03-01'))).toBe('from');
    expect(field(() => checkRange('2025-03-01', '2025-04-31'))).toBe('to');
    expect(field(() => checkRange('2025-03-02', '2025-03-01'))).toBe('to');
    expect(field(() => checkRange('2022-03-01', '2025-03-01'))).toBe('to');
    expect(field(() => checkRange('2022-03-02', '2025-03-01'))).toBe('accepted');
    expect(field(() => checkRange('2024-02-29', '2027-02-28'))).toBe('accepted');
  });
});
