import { describe, expect, it } from 'vitest';
import { movingAverage28, score, seasonalNaive7, seasonalScale, type Forecaster } from './backtest';

/**
 * A hand-computed fixture (cutoff = day 20, horizon 2):
 * - series A from day 10: train [1,2,3,4,5,6,7,1,2,3,4] (11 days), actual [5, 6].
 *   scale: |1−1|,|2−2|,|3−3|,|4−4| = 0 → A has scale 0, out of MASE.
 * - series B from day 0: train 21 days of 2 except day 14 = 9 and day 20 = 4; actual [3, 0].
 *   scale: t = 7..20, |y_t − y_{t−7}|: t=14: 7, t=20: 2, t=21? no; t=14 vs 7 → 7, and t=? 9 at 14
 *   is also y_{t−7} for t = 21 (outside). So Σ = 7 + 2 = 9 over 14 terms → 9/14.
 * A constant forecaster of 2: A errors 3 + 4 = 7, B errors 1 + 2 = 3; Σy = 5 + 6 + 3 + 0 = 14.
 * wMAPE = 10/14; bias = (2+2+2+2 − 14)/14 = −6/14; MASE = (3/2)/(9/14) = 21/9 (A out).
 */
const A = { start: 10, units: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6]) };
const bUnits = new Float64Array(23).fill(2);
bUnits[14] = 9;
bUnits[20] = 4;
bUnits[21] = 3;
bUnits[22] = 0;
const B = { start: 0, units: bUnits };

describe('backtest metrics', () => {
  it('match the hand computation', () => {
    const two: Forecaster = (_t, _s, h) => new Float64Array(h).fill(2);
    expect(seasonalScale(B.units.subarray(0, 21))).toBeCloseTo(9 / 14, 12);
    expect(seasonalScale(A.units.subarray(0, 11))).toBe(0);
    const s = score([A, B], 20, 2, two);
    expect(s.wmape).toBeCloseTo(10 / 14, 12);
    expect(s.bias).toBeCloseTo(-6 / 14, 12);
    expect(s.mase).toBeCloseTo(21 / 9, 12);
  });

  it('baselines: last week repeated, the 28-day mean', () => {
    // A's last 7 training days [5,6,7,1,2,3,4] → forecasts 5, 6; errors 0, 0
    expect([...seasonalNaive7(A.units.subarray(0, 11), 10, 2)]).toEqual([5, 6]);
    // B: train days 14..20 = [9,2,2,2,2,2,4] → [9, 2]; errors 6 + 2
    expect([...seasonalNaive7(B.units.subarray(0, 21), 0, 2)]).toEqual([9, 2]);
    expect(score([A, B], 20, 2, seasonalNaive7).wmape).toBeCloseTo(8 / 14, 12);
    // A: mean of 11 days = 38/11; B: (2·19 + 9 + 4)/21 = 51/21
    expect(movingAverage28(A.units.subarray(0, 11), 10, 1)[0]).toBeCloseTo(38 / 11, 12);
    expect(movingAverage28(B.units.subarray(0, 21), 0, 1)[0]).toBeCloseTo(51 / 21, 12);
  });
});
