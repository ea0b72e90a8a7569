/** Draws customers from the lifetime-value models with known parameters, for the recovery tests. */
import { Rng } from '../../demo/rng';
import type { BgNbdParams, Rfm } from './bgnbd';
import type { GammaGammaParams, Spend } from './gamma-gamma';

/** Gamma(shape, rate) by Marsaglia & Tsang (2000); shapes below 1 through the boost Γ(k) = Γ(k+1)·U^(1/k). */
export function gammaSample(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return gammaSample(rng, shape + 1, rate) * Math.pow(rng.next() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Box-Muller standard normal.
      x = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/**
 * One BG/NBD customer observed for T: Poisson purchases at rate λ ~ Gamma(r, α) after the first
 * at 0 until they drop out, with probability p ~ Beta(a, b) after each purchase. Returns the repeat
 * purchase times and when the customer dropped out (the time of their last purchase; null if
 * still alive at T).
 */
export function bgnbdCustomer(rng: Rng, { r, alpha, a, b }: BgNbdParams, T: number) {
  const lambda = gammaSample(rng, r, alpha);
  const ga = gammaSample(rng, a, 1);
  const p = ga / (ga + gammaSample(rng, b, 1));
  const times: number[] = [];
  let t = 0;
  for (;;) {
    t += -Math.log(1 - rng.next()) / lambda;
    if (t > T) return { times, droppedAt: null };
    times.push(t);
    if (rng.next() < p) return { times, droppedAt: t };
  }
}

export function simulateBgNbd(rng: Rng, params: BgNbdParams, Ts: readonly number[]): Rfm[] {
  return Ts.map((T) => {
    const { times } = bgnbdCustomer(rng, params, T);
    return { frequency: times.length, recency: times.length ? times[times.length - 1] : 0, T };
  });
}

/** One customer's transaction value: Gamma(p, ν) with their ν ~ Gamma(q, v) drawn once per customer. */
export function spendSampler(rng: Rng, { p, q, v }: GammaGammaParams): () => number {
  const nu = gammaSample(rng, q, v);
  return () => gammaSample(rng, p, nu);
}

/** Customers with the given repeat-purchase counts and the mean of that many Gamma-Gamma values. */
export function simulateGammaGamma(rng: Rng, params: GammaGammaParams, frequencies: readonly number[]): Spend[] {
  return frequencies.map((x) => {
    const draw = spendSampler(rng, params);
    let sum = 0;
    for (let i = 0; i < x; i++) sum += draw();
    return { frequency: x, monetary: sum / x };
  });
}
