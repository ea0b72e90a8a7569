import { describe, expect, it } from 'vitest';
import { minimise } from './optimise';

const rosenbrock = (x: number[]) => {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
};

describe('minimise (Nelder-Mead with restarts)', () => {
  it('finds the Rosenbrock minimum from the classic start (−1.2, 1)', () => {
    const m = minimise(rosenbrock, [-1.2, 1]);
    expect(m.x[0]).toBeCloseTo(1, 5);
    expect(m.x[1]).toBeCloseTo(1, 5);
    expect(m.value).toBeLessThan(1e-10);
  });

  it('finds the 4-dimensional Rosenbrock minimum (as many parameters as BG/NBD)', () => {
    const m = minimise(rosenbrock, [-1, 2, -1, 2], { maxEvaluations: 100_000 });
    for (const xi of m.x) expect(xi).toBeCloseTo(1, 4);
  });

  it('steps away from points outside the domain (non-finite values)', () => {
    const m = minimise(([x]) => (x <= 0 ? NaN : x - Math.log(x)), [3]);
    expect(m.x[0]).toBeCloseTo(1, 5);
  });

  it('fails loudly when nothing is finite', () => {
    expect(() => minimise(() => NaN, [0, 0])).toThrow(RangeError);
  });
});
