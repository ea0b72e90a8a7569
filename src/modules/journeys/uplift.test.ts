import { describe, expect, it } from 'vitest';
import { upliftInterval, wilson } from './uplift';

describe('uplift arithmetic', () => {
  it("Wilson's score interval: Newcombe's single-proportion example (Stat Med 1998, 81/263: 0.2553 to 0.3662)", () => {
    const [lo, hi] = wilson(81, 263);
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
  });

  it("the hybrid score interval of a difference: Newcombe's worked example (56/70 − 48/80: 0.0524 to 0.3339)", () => {
    const r = upliftInterval(56, 70, 48, 80)!;
    expect(r.uplift).toBeCloseTo(0.2, 10);
    expect(r.ci95[0]).toBeCloseTo(0.0524, 4);
    expect(r.ci95[1]).toBeCloseTo(0.3339, 4);
  });

  it('10/10 − 0/10 (Newcombe: 0.6075 to 1.0000); an empty group has no interval', () => {
    const r = upliftInterval(10, 10, 0, 10)!;
    expect(r.uplift).toBe(1);
    expect(r.ci95[0]).toBeCloseTo(0.6075, 3);
    expect(r.ci95[1]).toBe(1);
    expect(upliftInterval(3, 10, 0, 0)).toBeNull();
  });
});
