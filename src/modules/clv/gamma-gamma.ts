/**
 * Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): a
 * customer's transaction values are Gamma(p, ν), with ν ~ Gamma(q, v) across customers. Fitted on
 * customers with repeat purchases, from their count x and the mean m of those purchases' values.
 */
import { logGamma } from './special';
import { minimise, type MinimiseOptions } from './optimise';

export interface Spend {
  /** Repeat purchases whose values are averaged (x > 0). */
  frequency: number;
  /** Mean value of those purchases (m̄, > 0). */
  monetary: number;
  /** How many customers share this summary (default 1). */
  weight?: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
}

/** log-density of the observed mean m̄ given x purchases (the paper's equation (3), in log space). */
export function gammaGammaLogLikelihood({ p, q, v }: GammaGammaParams, { frequency: x, monetary: m }: Spend): number {
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(v) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(x * m + v)
  );
}

/**
 * Maximum-likelihood fit on customers with x > 0 and a positive mean value (others are left out).
 * Summed over customers, log L = Σ_x n_x [logΓ(px + q) − logΓ(px) − logΓ(q) + q log v]
 * + p Σ x log m̄ − Σ log m̄ + p Σ x log x − Σ (px + q) log(x m̄ + v): the gamma functions are taken
 * once per distinct x and the sums that do not depend on the parameters once per fit. The last sum
 * is p Σ_s X_s log(s + v) + q Σ_s N_s log(s + v) over the distinct totals s = x m̄, with N_s the
 * customers (weights) and X_s their Σ x: one logarithm per distinct total per evaluation (the same
 * value as summing gammaGammaLogLikelihood). A customer's weight (default 1) counts it that many times.
 */
export function fitGammaGamma(customers: readonly Spend[], options?: MinimiseOptions): GammaGammaFit {
  const usable = customers.filter((c) => c.frequency > 0 && c.monetary > 0);
  if (usable.length === 0) throw new RangeError('Gamma-Gamma needs at least one customer with a repeat purchase');
  const byX = new Map<number, number>();
  const byTotal = new Map<number, number>();
  const totalCustomers: number[] = [];
  const totalRepeats: number[] = [];
  let sumXLogM = 0;
  let sumLogM = 0;
  let sumXLogX = 0;
  for (const c of usable) {
    const x = c.frequency;
    const w = c.weight ?? 1;
    const logM = Math.log(c.monetary);
    byX.set(x, (byX.get(x) ?? 0) + w);
    sumXLogM += w * x * logM;
    sumLogM += w * logM;
    sumXLogX += w * x * Math.log(x);
    const total = x * c.monetary;
    const k = byTotal.get(total);
    if (k === undefined) {
      byTotal.set(total, totalCustomers.length);
      totalCustomers.push(w);
      totalRepeats.push(w * x);
    } else {
      totalCustomers[k] += w;
      totalRepeats[k] += w * x;
    }
  }
  const totals = Float64Array.from(byTotal.keys());
  const customersOf = Float64Array.from(totalCustomers);
  const repeatsOf = Float64Array.from(totalRepeats);
  const counts = [...byX.entries()];
  const negLL = ([lp, lq, lv]: number[]) => {
    const p = Math.exp(lp);
    const q = Math.exp(lq);
    const v = Math.exp(lv);
    const logV = Math.log(v);
    const logGammaQ = logGamma(q);
    let sum = p * sumXLogM - sumLogM + p * sumXLogX;
    for (const [x, n] of counts) sum += n * (logGamma(p * x + q) - logGamma(p * x) - logGammaQ + q * logV);
    for (let k = 0; k < totals.length; k++) sum -= (p * repeatsOf[k] + q * customersOf[k]) * Math.log(totals[k] + v);
    return -sum;
  };
  // v is on the scale of the amounts: start it at their mean so yuan and fen both start near the answer.
  const meanM =
    usable.reduce((s, c) => s + (c.weight ?? 1) * c.monetary, 0) / usable.reduce((s, c) => s + (c.weight ?? 1), 0);
  const best = minimise(negLL, [0, 0, Math.log(meanM)], options);
  const [p, q, v] = best.x.map(Math.exp);
  return { p, q, v, logLikelihood: -best.value };
}

/**
 * E[M | x, m̄]: the customer's expected average transaction value, a weighted mean of the population
 * mean vp/(q−1) and their own m̄ (the population mean alone when x = 0). Needs q > 1.
 */
export function conditionalExpectedAverageValue(
  { p, q, v }: GammaGammaParams,
  { frequency: x, monetary: m }: Spend,
): number {
  const weight = (p * x) / (p * x + q - 1);
  const populationMean = (v * p) / (q - 1);
  return x > 0 ? (1 - weight) * populationMean + weight * m : populationMean;
}
