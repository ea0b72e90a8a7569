import { weekday } from './days';
import { forecastSeries } from './methods';

/**
 * The backtest of `santong forecast backtest`: train each series on its days up to the cutoff,
 * forecast the next `horizon` days, score against what was sold. Definitions (issue 18):
 * wMAPE = Σ|y − ŷ| / Σy over all series and days; MASE per series = mean |y − ŷ| over the horizon
 * / in-sample mean |y_t − y_{t−7}|, averaged over the series whose scale is not 0; bias =
 * Σ(ŷ − y) / Σy (positive: over-forecast).
 */

export interface BacktestSeries {
  /** Daily units from the series' first sale (day number `start`) through the cutoff and beyond. */
  start: number;
  units: Float64Array;
}

export type Forecaster = (train: Float64Array, start: number, horizon: number) => Float64Array;

export interface Scores {
  wmape: number;
  mase: number;
  bias: number;
}

/** ŷ_{T+h} = y_{T+h−7}: last week repeated. */
export const seasonalNaive7: Forecaster = (train, _start, horizon) => {
  const out = new Float64Array(horizon);
  const n = train.length;
  for (let h = 0; h < horizon; h++) {
    const back = n - 7 + (h % 7);
    out[h] = back >= 0 ? train[back] : 0;
  }
  return out;
};

/** ŷ = the mean of the last 28 days (fewer when the series is younger). */
export const movingAverage28: Forecaster = (train, _start, horizon) => {
  const k = Math.min(28, train.length);
  let sum = 0;
  for (let t = train.length - k; t < train.length; t++) sum += train[t];
  return new Float64Array(horizon).fill(k > 0 ? sum / k : 0);
};

export const modelForecaster: Forecaster = (train, start, horizon) =>
  forecastSeries(train, { horizon, weekday0: weekday(start) }).mean;

/** In-sample mean |y_t − y_{t−7}| (0 when the training window is shorter than 8 days). */
export function seasonalScale(train: Float64Array): number {
  let sum = 0;
  for (let t = 7; t < train.length; t++) sum += Math.abs(train[t] - train[t - 7]);
  return train.length > 7 ? sum / (train.length - 7) : 0;
}

/** Scores a forecaster on every series: train on days ≤ cutoff (day number), score the next `horizon`. */
export function score(series: readonly BacktestSeries[], cutoff: number, horizon: number, f: Forecaster): Scores {
  let absErr = 0;
  let err = 0;
  let actual = 0;
  let maseSum = 0;
  let maseCount = 0;
  for (const s of series) {
    const trainLen = cutoff - s.start + 1;
    const train = s.units.subarray(0, trainLen);
    const yhat = f(train, s.start, horizon);
    let seriesAbs = 0;
    for (let h = 0; h < horizon; h++) {
      const y = s.units[trainLen + h] ?? 0;
      seriesAbs += Math.abs(y - yhat[h]);
      err += yhat[h] - y;
      actual += y;
    }
    absErr += seriesAbs;
    const scale = seasonalScale(train);
    if (scale > 0) {
      maseSum += seriesAbs / horizon / scale;
      maseCount++;
    }
  }
  return {
    wmape: actual > 0 ? absErr / actual : 0,
    mase: maseCount > 0 ? maseSum / maseCount : 0,
    bias: actual > 0 ? err / actual : 0,
  };
}
