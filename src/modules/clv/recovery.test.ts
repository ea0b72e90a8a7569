import { describe, expect, it } from 'vitest';
import { Rng } from '../../demo/rng';
import { bgnbdTotalLogLikelihood, fitBgNbd } from './bgnbd';
import { fitGammaGamma, gammaGammaLogLikelihood, type GammaGammaParams, type Spend } from './gamma-gamma';
import { simulateBgNbd, simulateGammaGamma } from './simulate';

/**
 * Customers drawn from the models with known parameters: maximum likelihood must find them again,
 * within the sampling error of 10,000 customers. Tolerances come from refitting across seeds: r, α,
 * q and the mean spend vp/(q−1) are pinned tightly; a with b, and p with v, lie along ridges of the
 * likelihood and move together by up to ~25 % between samples of this size.
 */
const relErr = (got: number, want: number) => Math.abs(got - want) / want;

describe('parameter recovery from simulated customers (seeded)', () => {
  it('BG/NBD recovers r, α, a, b and beats the true parameters’ likelihood', () => {
    const rng = new Rng(13);
    const truth = { r: 0.6, alpha: 8, a: 0.9, b: 3 };
    // Customers acquired over a year, observed up to 78 weeks: varied T is what separates α from r.
    const Ts = Array.from({ length: 10_000 }, () => 26 + rng.next() * 52);
    const customers = simulateBgNbd(rng, truth, Ts);
    const fit = fitBgNbd(customers);
    expect(relErr(fit.r, truth.r)).toBeLessThan(0.1);
    expect(relErr(fit.alpha, truth.alpha)).toBeLessThan(0.1);
    expect(relErr(fit.a, truth.a)).toBeLessThan(0.3);
    expect(relErr(fit.b, truth.b)).toBeLessThan(0.3);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood(truth, customers));
  });

  it('Gamma-Gamma recovers p, q, v and beats the true parameters’ likelihood', () => {
    const rng = new Rng(7);
    const truth = { p: 6, q: 4, v: 15 };
    const customers = simulateGammaGamma(
      rng,
      truth,
      Array.from({ length: 10_000 }, () => rng.int(1, 10)),
    );
    const fit = fitGammaGamma(customers);
    const total = (params: GammaGammaParams, cs: Spend[]) =>
      cs.reduce((s, c) => s + gammaGammaLogLikelihood(params, c), 0);
    const meanSpend = ({ p, q, v }: GammaGammaParams) => (v * p) / (q - 1);
    expect(relErr(fit.q, truth.q)).toBeLessThan(0.1);
    expect(relErr(meanSpend(fit), meanSpend(truth))).toBeLessThan(0.05);
    expect(relErr(fit.p, truth.p)).toBeLessThan(0.3);
    expect(relErr(fit.v, truth.v)).toBeLessThan(0.3);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(total(truth, customers));
  });
});
