import { describe, expect, it } from 'vitest';
import { Rng } from '../../demo/rng';
import { fitGammaGamma, gammaGammaLogLikelihood } from './gamma-gamma';
import { simulateGammaGamma } from './simulate';

describe('fitGammaGamma', () => {
  it("reports the maximised log-likelihood as the per-customer density sums it (the fit's regrouped sum is exact)", () => {
    const rng = new Rng(5);
    const customers = simulateGammaGamma(
      rng,
      { p: 6, q: 4, v: 15 },
      Array.from({ length: 3000 }, () => 1 + Math.floor(rng.next() * 8)),
    );
    const fit = fitGammaGamma([...customers, { frequency: 0, monetary: 0 }]);
    const direct = customers.reduce((s, c) => s + gammaGammaLogLikelihood(fit, c), 0);
    expect(fit.logLikelihood).toBeCloseTo(direct, 6);
    // and it is a maximum: nudging any parameter lowers the sum
    for (const k of ['p', 'q', 'v'] as const)
      for (const f of [0.98, 1.02])
        expect(customers.reduce((s, c) => s + gammaGammaLogLikelihood({ ...fit, [k]: fit[k] * f }, c), 0)).toBeLessThan(
          direct,
        );
  });
});
