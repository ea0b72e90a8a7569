import { describe, expect, it } from 'vitest';
import { dayNumber, summarise } from './summary';

describe('transactions → per-customer summary', () => {
  const transactions = [
    { customer: 'a', day: '2025-01-01', amount: 10 },
    { customer: 'a', day: '2025-01-01', amount: 5 }, // same day: one purchase of 15
    { customer: 'a', day: '2025-01-08', amount: 20 },
    { customer: 'a', day: '2025-01-15', amount: 7 },
    { customer: 'a', day: '2025-01-15', amount: 3 },
    { customer: 'a', day: '2025-03-01', amount: 99 }, // after the calibration end
    { customer: 'b', day: '2025-01-29', amount: 40 },
    { customer: 'c', day: '2025-02-01', amount: 1 }, // first purchase after the end: not a customer yet
  ];

  it('counts repeat purchase days, measures from the first purchase day, averages repeat days only', () => {
    const byId = new Map(summarise(transactions, '2025-01-29').map((s) => [s.customer, s]));
    expect([...byId.keys()].sort()).toEqual(['a', 'b']);
    expect(byId.get('a')).toEqual({ customer: 'a', frequency: 2, recency: 2, T: 4, monetary: 15 });
    // A purchase on the calibration end itself counts (inclusive); T = 0.
    expect(byId.get('b')).toEqual({ customer: 'b', frequency: 0, recency: 0, T: 0, monetary: 0 });
  });

  it('measures in days with time unit day', () => {
    const a = summarise(transactions, '2025-01-29', 'day').find((s) => s.customer === 'a')!;
    expect(a).toMatchObject({ frequency: 2, recency: 14, T: 28 });
  });

  it('rejects dates that are not real calendar days', () => {
    expect(dayNumber('2025-02-29')).toBeNull();
    expect(dayNumber('2024-02-29')).not.toBeNull();
    expect(dayNumber('20250101')).toBeNull();
    expect(() => summarise(transactions, '2025-13-01')).toThrow(RangeError);
    expect(() => summarise([{ customer: 'x', day: '2025/01/01', amount: 1 }], '2025-01-29')).toThrow(/2025\/01\/01/);
  });
});
