/**
 * Standard forecasting methods on one daily series (Float64Array, oldest first), no novelty:
 * - weekday seasonal indices (classical multiplicative decomposition, shrunk towards 1);
 * - ETS(A,Ad,N) — Holt's linear method with a damped trend, simple exponential smoothing when
 *   β = 0 — on the seasonally adjusted series, reseasonalised (as forecast::stlf does with ETS);
 * - TSB (Teunter, Syntetos & Babai 2011) and Croston with the Syntetos–Boylan correction (SBA)
 *   for intermittent demand, on the same seasonally adjusted series;
 * - parameters by least squares over a small grid; the method per series by the mean absolute
 *   error on a holdout of its last days, then refitted on the whole series.
 * Point forecasts are means; `sd` is the h-step standard deviation (the ETS variance formula of
 * Hyndman et al. 2008 for ETS; the one-step residual sd, constant, for TSB and Croston).
 */

export interface Fit {
  model: ModelName;
  mean: Float64Array;
  sd: Float64Array;
}

export type ModelName = 'ets' | 'tsb' | 'croston_sba';

/** z of the 80 % central interval of a normal. */
export const Z80 = 1.2815515655446004;

/**
 * Multiplicative weekday indices (mean 1) from `y` whose first element falls on weekday `wd0`
 * (0 = Monday): each weekday's total over its days, with `prior` pseudo-days at the overall mean.
 */
export function weekdayIndices(y: Float64Array, wd0: number, prior = 2): Float64Array {
  const sum = new Float64Array(7);
  const count = new Float64Array(7);
  let total = 0;
  for (let t = 0; t < y.length; t++) {
    const w = (wd0 + t) % 7;
    sum[w] += y[t];
    count[w]++;
    total += y[t];
  }
  const s = new Float64Array(7).fill(1);
  if (total <= 0) return s;
  const mean = total / y.length;
  let norm = 0;
  for (let w = 0; w < 7; w++) {
    s[w] = (sum[w] + prior * mean) / ((count[w] + prior) * mean);
    norm += s[w];
  }
  for (let w = 0; w < 7; w++) s[w] = (s[w] * 7) / norm;
  return s;
}

interface Smoothed {
  sse: number;
  n: number;
  mean: Float64Array;
  sd: Float64Array;
}

const ETS_GRID: readonly [number, number, number][] = [
  // [α, β, φ]: simple exponential smoothing, then a damped trend
  [0.05, 0, 1],
  [0.1, 0, 1],
  [0.2, 0, 1],
  [0.4, 0, 1],
  [0.1, 0.05, 0.9],
  [0.2, 0.05, 0.9],
];

/** ETS(A,Ad,N) with fixed α, β (as β* = αβ in error-correction form) and φ on x; h-step forecasts. */
export function holtDamped(x: Float64Array, alpha: number, beta: number, phi: number, h: number): Smoothed {
  const n = x.length;
  const k = Math.min(7, n);
  let level = 0;
  for (let t = 0; t < k; t++) level += x[t] / k;
  let trend = 0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const f = level + phi * trend;
    const e = x[t] - f;
    sse += e * e;
    level = f + alpha * e;
    trend = phi * trend + alpha * beta * e;
  }
  const sigma2 = n > 1 ? sse / n : 0;
  const mean = new Float64Array(h);
  const sd = new Float64Array(h);
  let damp = 0;
  let phiPow = 1;
  let varSum = 1;
  let cumPhi = 0;
  for (let j = 1; j <= h; j++) {
    phiPow *= phi;
    damp += phiPow;
    mean[j - 1] = Math.max(0, level + damp * trend);
    sd[j - 1] = Math.sqrt(sigma2 * varSum);
    // c_j = α(1 + β Σ_{i≤j} φ^i): the weight of the error j steps back in the h-step error
    cumPhi += phiPow;
    const c = alpha * (1 + beta * cumPhi);
    varSum += c * c;
  }
  return { sse, n, mean, sd };
}

/** TSB: demand probability p (updated every day, β) times demand size z (updated on demand days, α). */
export function tsb(x: Float64Array, alpha: number, beta: number, h: number): Smoothed {
  const n = x.length;
  let nz = 0;
  let zSum = 0;
  for (let t = 0; t < n; t++)
    if (x[t] > 0) {
      nz++;
      zSum += x[t];
    }
  let p = n > 0 ? nz / n : 0;
  let z = nz > 0 ? zSum / nz : 0;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const e = x[t] - p * z;
    sse += e * e;
    if (x[t] > 0) {
      p += beta * (1 - p);
      z += alpha * (x[t] - z);
    } else p -= beta * p;
  }
  return flat(p * z, sse, n, h);
}

/** Croston's method with the Syntetos–Boylan bias correction: (1 − α/2) · size / interval. */
export function crostonSba(x: Float64Array, alpha: number, h: number): Smoothed {
  const n = x.length;
  let z = 0;
  let q = 0;
  let since = 1;
  let started = false;
  let sse = 0;
  for (let t = 0; t < n; t++) {
    const f = started ? ((1 - alpha / 2) * z) / q : 0;
    const e = x[t] - f;
    if (started) sse += e * e;
    if (x[t] > 0) {
      if (!started) {
        z = x[t];
        q = since;
        started = true;
      } else {
        z += alpha * (x[t] - z);
        q += alpha * (since - q);
      }
      since = 1;
    } else since++;
  }
  return flat(started ? ((1 - alpha / 2) * z) / q : 0, sse, n, h);
}

function flat(level: number, sse: number, n: number, h: number): Smoothed {
  const sd = Math.sqrt(n > 1 ? sse / n : 0);
  return { sse, n, mean: new Float64Array(h).fill(level), sd: new Float64Array(h).fill(sd) };
}

/** The least-squares member of a method's grid. */
function bestOf(model: ModelName, x: Float64Array, h: number): Smoothed {
  let best: Smoothed | null = null;
  const consider = (s: Smoothed) => {
    if (best === null || s.sse < best.sse) best = s;
  };
  if (model === 'ets') for (const [a, b, p] of ETS_GRID) consider(holtDamped(x, a, b, p, h));
  else if (model === 'tsb') for (const a of [0.1, 0.3]) for (const b of [0.02, 0.1]) consider(tsb(x, a, b, h));
  else for (const a of [0.05, 0.15]) consider(crostonSba(x, a, h));
  return best!;
}

/** Share of zero days from which a series counts as intermittent (Syntetos–Boylan: ADI > 1.32). */
const INTERMITTENT_ZEROS = 1 - 1 / 1.32;

export interface FitOptions {
  /** Days to forecast. */
  horizon: number;
  /** Weekday (0 = Monday) of y[0]. */
  weekday0: number;
  /** Known multiples of demand per day, history then horizon (length y.length + horizon); absent: none. */
  uplift?: Float64Array;
  /** Days held out to choose the method (default: the horizon, at most a quarter of the series). */
  holdout?: number;
}

/** The candidate methods of a series: intermittent ones for a mostly-zero series, ETS otherwise. */
function candidates(x: Float64Array): ModelName[] {
  let zeros = 0;
  for (let t = 0; t < x.length; t++) if (x[t] <= 0) zeros++;
  return zeros / Math.max(1, x.length) > INTERMITTENT_ZEROS ? ['tsb', 'croston_sba', 'ets'] : ['ets', 'tsb'];
}

/**
 * A method fitted on `e` (event-adjusted units; weekday `wd0` first) and forecast `h` days on the
 * same scale, weekday pattern included: ETS smooths the weekday-adjusted series and is
 * reseasonalised; TSB and Croston estimate the mean daily demand of the raw series (dividing the
 * many zero days by a weekday index would bias their level) and spread it by the indices.
 */
function fitOn(model: ModelName, e: Float64Array, s: Float64Array, wd0: number, h: number): Smoothed {
  const n = e.length;
  let fit: Smoothed;
  if (model === 'ets') {
    const x = new Float64Array(n);
    for (let t = 0; t < n; t++) x[t] = e[t] / s[(wd0 + t) % 7];
    fit = bestOf(model, x, h);
  } else fit = bestOf(model, e, h);
  for (let j = 0; j < h; j++) {
    const k = s[(wd0 + n + j) % 7];
    fit.mean[j] *= k;
    fit.sd[j] *= k;
  }
  return fit;
}

/**
 * Forecasts `y` over the horizon: event-adjusted when `uplift` is given, weekday indices from
 * the adjusted series, the method chosen on the holdout, refitted on everything, re-uplifted.
 */
export function forecastSeries(y: Float64Array, opts: FitOptions): Fit {
  const n = y.length;
  const H = opts.horizon;
  const wd0 = opts.weekday0;
  const e = new Float64Array(n);
  for (let t = 0; t < n; t++) e[t] = opts.uplift ? y[t] / opts.uplift[t] : y[t];
  const s = weekdayIndices(e, wd0);
  const models = candidates(e);
  let model = models[0];
  const hold = Math.min(opts.holdout ?? H, Math.floor(n / 4));
  if (hold >= 7 && models.length > 1) {
    const train = e.subarray(0, n - hold);
    let bestMae = Infinity;
    for (const m of models) {
      const f = fitOn(m, train, s, wd0, hold).mean;
      let mae = 0;
      for (let j = 0; j < hold; j++) mae += Math.abs(e[n - hold + j] - f[j]);
      // a tie (within rounding) keeps the earlier, simpler-for-the-class candidate
      if (mae < bestMae - 1e-9 * (1 + bestMae)) {
        bestMae = mae;
        model = m;
      }
    }
  }
  const fit = fitOn(model, e, s, wd0, H);
  if (opts.uplift)
    for (let j = 0; j < H; j++) {
      fit.mean[j] *= opts.uplift[n + j];
      fit.sd[j] *= opts.uplift[n + j];
    }
  return { model, mean: fit.mean, sd: fit.sd };
}
