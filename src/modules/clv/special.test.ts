import { describe, expect, it } from 'vitest';
import { hyp2f1, logAddExp, logBeta, logGamma } from './special';

describe('log-space special functions', () => {
  it('logGamma matches known values to ~1e-13 relative', () => {
    const known: [number, number][] = [
      [1, 0],
      [2, 0],
      [0.5, 0.5 * Math.log(Math.PI)],
      [10, Math.log(362880)],
      [1e-5, 11.512919692895828],
      [0.1, 2.252712651734206],
      [3.7, 1.4280723266653443],
      [100, 359.1342053695754],
      [1e6, 12815504.56914761],
    ];
    for (const [x, want] of known)
      expect(Math.abs(logGamma(x) - want)).toBeLessThan(1e-12 * Math.max(1, Math.abs(want)));
  });

  it('logGamma satisfies Γ(x+1) = xΓ(x) where Γ itself overflows', () => {
    for (const x of [0.3, 7.25, 250.5, 5000]) expect(logGamma(x + 1) - logGamma(x)).toBeCloseTo(Math.log(x), 10);
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1.5)).toBeNaN();
  });

  it('logBeta: B(2,3) = 1/12, B(0.5,0.5) = π', () => {
    expect(logBeta(2, 3)).toBeCloseTo(-Math.log(12), 13);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 13);
  });

  it('logAddExp stays finite where exp overflows or underflows', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-1000, -1001)).toBeCloseTo(-1000 + Math.log1p(Math.exp(-1)), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
  });

  it('hyp2f1 matches closed forms', () => {
    for (const z of [0, 0.2, 0.7, 0.99]) {
      // ₂F₁(1,1;2;z) = −ln(1−z)/z and ₂F₁(a,b;b;z) = (1−z)^−a.
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 10);
      expect(hyp2f1(2.5, 1.3, 1.3, z)).toBeCloseTo(Math.pow(1 - z, -2.5), 6);
    }
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });
});
