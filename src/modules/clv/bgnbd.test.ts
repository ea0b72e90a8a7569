import { describe, expect, it } from 'vitest';
import { Rng } from '../../demo/rng';
import { conditionalExpectedPurchases, expectedPurchases, probabilityAlive } from './bgnbd';
import { bgnbdCustomer, simulateBgNbd } from './simulate';

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

describe('BG/NBD predictions against simulated futures', () => {
  // 20,000 customers observed for 39 weeks, then followed for 39 more: the formulas (with the true
  // parameters) must predict who is still alive at the calibration end and what they buy after it.
  const rng = new Rng(11);
  const T = 39;
  const horizon = 39;
  const customers = Array.from({ length: 20_000 }, () => {
    const { times, droppedAt } = bgnbdCustomer(rng, CDNOW, T + horizon);
    const calibration = times.filter((t) => t <= T);
    return {
      rfm: { frequency: calibration.length, recency: calibration.at(-1) ?? 0, T },
      alive: droppedAt === null || droppedAt > T,
      future: times.length - calibration.length,
    };
  });

  it('p_alive is calibrated: the predicted share alive matches the simulated one, overall and by band', () => {
    const bands = [
      [0, 0.3],
      [0.3, 0.7],
      [0.7, 1.01],
    ];
    for (const [lo, hi] of bands) {
      const inBand = customers.filter((c) => {
        const p = probabilityAlive(CDNOW, c.rfm);
        return p >= lo && p < hi;
      });
      expect(inBand.length, `band ${lo}-${hi}`).toBeGreaterThan(500);
      const predicted = inBand.reduce((s, c) => s + probabilityAlive(CDNOW, c.rfm), 0);
      const actual = inBand.filter((c) => c.alive).length;
      // Binomial noise on ≥ 500 customers is a few percent of the count; 0.05 × n is ~3 standard errors.
      expect(Math.abs(predicted - actual), `band ${lo}-${hi}`).toBeLessThan(0.05 * inBand.length);
    }
  });

  it('conditional expected purchases match the simulated holdout purchases by calibration frequency', () => {
    const groups: [string, (x: number) => boolean][] = [
      ['x = 0', (x) => x === 0],
      ['x = 1', (x) => x === 1],
      ['x 2-4', (x) => x >= 2 && x <= 4],
      ['x 5+', (x) => x >= 5],
    ];
    for (const [name, inGroup] of groups) {
      const group = customers.filter((c) => inGroup(c.rfm.frequency));
      const predicted = group.reduce((s, c) => s + conditionalExpectedPurchases(CDNOW, c.rfm, horizon), 0);
      const actual = group.reduce((s, c) => s + c.future, 0);
      expect(Math.abs(predicted - actual) / actual, name).toBeLessThan(0.1);
    }
  });
});
