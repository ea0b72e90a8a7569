import { describe, expect, it } from 'vitest';
import { Rng } from '../../demo/rng';
import { conditionalExpectedPurchases, expectedPurchases } from './bgnbd';
import { simulateBgNbd } from './simulate';

const CDNOW = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD expectations', () => {
  it('E[X(t)] matches the mean count of simulated customers', () => {
    const rng = new Rng(5);
    const t = 52;
    const simulated = simulateBgNbd(rng, CDNOW, new Array<number>(40_000).fill(t));
    const mean = simulated.reduce((s, c) => s + c.frequency, 0) / simulated.length;
    // Counts this dispersed (sd ≈ 3.1 around 1.45) give the mean of 40,000 a standard error of ~1 %.
    expect(Math.abs(mean - expectedPurchases(CDNOW, t)) / expectedPurchases(CDNOW, t)).toBeLessThan(0.03);
    expect(expectedPurchases(CDNOW, 0)).toBe(0);
  });

  it('a customer with no history and no time observed expects what a new customer does', () => {
    for (const t of [1, 39, 78, 500])
      expect(conditionalExpectedPurchases(CDNOW, { frequency: 0, recency: 0, T: 0 }, t)).toBeCloseTo(
        expectedPurchases(CDNOW, t),
        10,
      );
  });
});
