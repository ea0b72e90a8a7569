/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a customer
 * buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out with
 * probability p ~ Beta(a, b). Per customer: x repeat purchases, the last at t_x, observed for T.
 */
import { hyp2f1, logAddExp, logGamma } from './special';
import { minimise, type MinimiseOptions } from './optimise';

export interface Rfm {
  /** Repeat purchases (x). */
  frequency: number;
  /** Time of the last repeat purchase since the first purchase (t_x; 0 when x = 0). */
  recency: number;
  /** Time from the first purchase to the end of the calibration period. */
  T: number;
  /** How many customers share this summary (default 1): fitting on distinct summaries is as exact and faster. */
  weight?: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
}

/** The terms of log L that depend on x but not on t_x or T: shared by every customer with that x. */
function frequencyTerms({ r, alpha, a, b }: BgNbdParams, x: number) {
  const common =
    logGamma(r + x) -
    logGamma(r) +
    r * Math.log(alpha) +
    logGamma(a + b) +
    logGamma(b + x) -
    logGamma(b) -
    logGamma(a + b + x);
  return { common, logDropOut: x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity };
}

function logLikelihoodWith(
  { r, alpha }: BgNbdParams,
  { common, logDropOut }: ReturnType<typeof frequencyTerms>,
  { frequency: x, recency: tx, T }: Rfm,
): number {
  const stillAlive = -(r + x) * Math.log(alpha + T);
  const droppedAfterLast = x > 0 ? logDropOut - (r + x) * Math.log(alpha + tx) : -Infinity;
  return common + logAddExp(stillAlive, droppedAfterLast);
}

/**
 * log L(r, α, a, b) summed over customers: equation (6) of the paper in log space. The gamma
 * functions are evaluated once per distinct x, which makes fitting fast.
 */
export function bgnbdTotalLogLikelihood(params: BgNbdParams, customers: readonly Rfm[]): number {
  const byFrequency = new Map<number, ReturnType<typeof frequencyTerms>>();
  let sum = 0;
  for (const c of customers) {
    let terms = byFrequency.get(c.frequency);
    if (!terms) byFrequency.set(c.frequency, (terms = frequencyTerms(params, c.frequency)));
    sum += (c.weight ?? 1) * logLikelihoodWith(params, terms, c);
  }
  return sum;
}

/** Indexes every distinct value of a list, in first-seen order: the values, and each item's index. */
function dictionary(values: ArrayLike<number>): { distinct: Float64Array; index: Int32Array } {
  const seen = new Map<number, number>();
  const index = new Int32Array(values.length);
  const distinct: number[] = [];
  for (let i = 0; i < values.length; i++) {
    let k = seen.get(values[i]);
    if (k === undefined) seen.set(values[i], (k = distinct.push(values[i]) - 1));
    index[i] = k;
  }
  return { distinct: Float64Array.from(distinct), index };
}

/**
 * The fit's objective, log L as bgnbdTotalLogLikelihood sums it, prepared once for many
 * evaluations. The likelihood depends on a customer only through (x, t_x, T), so customers are
 * collapsed to their distinct triples, each weighted by its count (the literature's trick). A
 * triple's term is common(x) − (r+x)·log(α+T) + softplus(d) with d = log a − log(b+x−1) +
 * (r+x)·(log(α+T) − log(α+t_x)) for x > 0 (nothing for x = 0): the first two parts are summed per
 * distinct x and per distinct T, and the logarithms come from tables computed once per evaluation
 * for the distinct T and t_x (a few hundred for whole days). Per triple with a repeat purchase one
 * exp and one log1p remain.
 */
export function bgnbdObjective(customers: readonly Rfm[]): (params: BgNbdParams) => number {
  const byKey = new Map<string, number>();
  const xs: number[] = [];
  const txs: number[] = [];
  const Ts: number[] = [];
  const ws: number[] = [];
  for (const c of customers) {
    const w = c.weight ?? 1;
    const key = `${c.frequency}|${c.recency}|${c.T}`;
    const k = byKey.get(key);
    if (k !== undefined) ws[k] += w;
    else {
      byKey.set(key, xs.length);
      xs.push(c.frequency);
      txs.push(c.recency);
      Ts.push(c.T);
      ws.push(w);
    }
  }
  const x = dictionary(xs);
  const tx = dictionary(txs);
  const T = dictionary(Ts);
  // Σ weight per distinct x, and Σ weight and Σ weight·x per distinct T
  const weightOfX = new Float64Array(x.distinct.length);
  const weightOfT = new Float64Array(T.distinct.length);
  const weightedXOfT = new Float64Array(T.distinct.length);
  for (let i = 0; i < xs.length; i++) {
    weightOfX[x.index[i]] += ws[i];
    weightOfT[T.index[i]] += ws[i];
    weightedXOfT[T.index[i]] += ws[i] * xs[i];
  }
  // the triples with a repeat purchase, as columns
  const repeat = xs.flatMap((xi, i) => (xi > 0 ? [i] : []));
  const rx = Int32Array.from(repeat, (i) => x.index[i]);
  const rT = Int32Array.from(repeat, (i) => T.index[i]);
  const rtx = Int32Array.from(repeat, (i) => tx.index[i]);
  const rw = Float64Array.from(repeat, (i) => ws[i]);
  const common = new Float64Array(x.distinct.length);
  const logDropOut = new Float64Array(x.distinct.length);
  const logAlphaTx = new Float64Array(tx.distinct.length);
  const logAlphaT = new Float64Array(T.distinct.length);
  return (params) => {
    const { r, alpha } = params;
    let sum = 0;
    for (let k = 0; k < x.distinct.length; k++) {
      const terms = frequencyTerms(params, x.distinct[k]);
      common[k] = terms.common;
      logDropOut[k] = terms.logDropOut;
      sum += weightOfX[k] * terms.common;
    }
    for (let k = 0; k < logAlphaTx.length; k++) logAlphaTx[k] = Math.log(alpha + tx.distinct[k]);
    for (let k = 0; k < logAlphaT.length; k++) {
      logAlphaT[k] = Math.log(alpha + T.distinct[k]);
      sum -= (r * weightOfT[k] + weightedXOfT[k]) * logAlphaT[k];
    }
    for (let i = 0; i < rw.length; i++) {
      const xi = rx[i];
      const d = logDropOut[xi] + (r + x.distinct[xi]) * (logAlphaT[rT[i]] - logAlphaTx[rtx[i]]);
      sum += rw[i] * (d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d)));
    }
    return sum;
  };
}

const fromLog = ([r, alpha, a, b]: number[]): BgNbdParams => ({
  r: Math.exp(r),
  alpha: Math.exp(alpha),
  a: Math.exp(a),
  b: Math.exp(b),
});

/** Maximum-likelihood fit, on log-parameters so every point the optimiser tries is in the domain. */
export function fitBgNbd(customers: readonly Rfm[], options?: MinimiseOptions): BgNbdFit {
  if (customers.length === 0) throw new RangeError('BG/NBD needs at least one customer');
  // α is on the time scale of T: start it at the mean T so any time unit starts near its answer.
  const weight = customers.reduce((s, c) => s + (c.weight ?? 1), 0);
  const meanT = customers.reduce((s, c) => s + (c.weight ?? 1) * c.T, 0) / weight;
  const logLikelihood = bgnbdObjective(customers);
  const best = minimise((theta) => -logLikelihood(fromLog(theta)), [0, Math.log(Math.max(meanT, 1e-6)), 0, 0], options);
  return { ...fromLog(best.x), logLikelihood: -best.value };
}

/** log of the odds that a customer has dropped out, relative to being alive (−∞ without repeat purchases). */
function logDeadOdds({ r, alpha, a, b }: BgNbdParams, { frequency: x, recency: tx, T }: Rfm): number {
  if (x === 0) return -Infinity;
  return Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

/** P(alive | x, t_x, T), equation (11). */
export function probabilityAlive(params: BgNbdParams, customer: Rfm): number {
  return 1 / (1 + Math.exp(logDeadOdds(params, customer)));
}

/** E[X(t)]: purchases a newly acquired customer makes in a period of length t, equation (9). */
export function expectedPurchases({ r, alpha, a, b }: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const hyp = hyp2f1(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hyp);
}

/** E[Y(t) | x, t_x, T]: purchases in the next t periods of a customer with this history, equation (10). */
export function conditionalExpectedPurchases(params: BgNbdParams, customer: Rfm, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const { frequency: x, T } = customer;
  const hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * hyp);
  return numerator / (1 + Math.exp(logDeadOdds(params, customer)));
}
