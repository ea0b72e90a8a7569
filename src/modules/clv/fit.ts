import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit } from './bgnbd';
import { conditionalExpectedAverageValue, fitGammaGamma, type GammaGammaFit } from './gamma-gamma';

/** The models' side of a CLV run, pure (no database): what the fitting thread runs. */

/** One customer's summary as the models take it: x repeat purchase days, t_x and T in weeks, m̄ in yuan. */
export interface ClvSummary {
  customer_id: string;
  frequency: number;
  recency: number;
  T: number;
  /** Mean net value (yuan) of the repeat purchase days; 0 without any. */
  monetary: number;
}

const WEEK_DAYS = 7;

export interface ClvFits {
  bgnbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
}

/** Why a run cannot fit: the data, not the server, is at fault (recorded on the run). */
export class ClvDataError extends Error {}

/**
 * Evaluations of a likelihood per fit. A well-posed fit converges in under 1,000; one whose
 * maximum lies on the boundary (no dropout in the data: a → 0, b → ∞) drifts along a flat ridge
 * until the budget is spent, where the likelihood and the predictions no longer change.
 */
const BUDGET = { maxEvaluations: 4000 };

/**
 * Both models fitted by maximum likelihood on the summaries (Gamma-Gamma on repeat buyers with
 * m̄ > 0). BG/NBD's likelihood depends only on (x, t_x, T), whole days here, and Gamma-Gamma's
 * costly term only on the repeat total x·m̄: each fit sums over the distinct values, weighted by
 * their customers (bgnbdObjective, fitGammaGamma) — the same maximum, far fewer terms.
 */
export function fitModels(summaries: readonly ClvSummary[]): ClvFits {
  if (!summaries.some((c) => c.frequency > 0 && c.monetary > 0))
    throw new ClvDataError('no customer bought again (for more than 0) by the calibration end: nothing to fit');
  return { bgnbd: fitBgNbd(summaries, BUDGET), gammaGamma: fitGammaGamma(summaries, BUDGET) };
}

export interface ClvPrediction {
  customer_id: string;
  frequency: number;
  recency: number;
  T: number;
  p_alive: number;
  expected_orders: number;
  /** fen */
  expected_avg_value: number;
  /** fen */
  expected_value: number;
}

/**
 * A customer's predictions over the horizon: P(alive), E[purchases in the horizon] (BG/NBD),
 * E[average value] (Gamma-Gamma; the population mean for customers without a repeat purchase of
 * positive value, and when q ≤ 1 leaves the population mean undefined, their own m̄ or 0), and
 * their product, in fen rounded to the nearest. For many customers: BG/NBD's two figures depend on (x, t_x, T) only, so they are
 * computed once per distinct triple (the hypergeometric series is the costly part) and shared.
 */
export function predictor(fits: ClvFits, horizonDays: number): (c: ClvSummary) => ClvPrediction {
  const { bgnbd, gammaGamma } = fits;
  const byTriple = new Map<string, { pAlive: number; orders: number }>();
  return (c) => {
    const key = `${c.frequency}|${c.recency}|${c.T}`;
    let bg = byTriple.get(key);
    if (!bg) {
      const expectedOrders = conditionalExpectedPurchases(bgnbd, c, horizonDays / WEEK_DAYS);
      bg = {
        pAlive: Math.min(1, Math.max(0, probabilityAlive(bgnbd, c))),
        orders: Number.isFinite(expectedOrders) && expectedOrders > 0 ? expectedOrders : 0,
      };
      byTriple.set(key, bg);
    }
    const spend = { frequency: c.monetary > 0 ? c.frequency : 0, monetary: c.monetary };
    let avg = gammaGamma.q > 1 ? conditionalExpectedAverageValue(gammaGamma, spend) : spend.monetary;
    if (!Number.isFinite(avg) || avg < 0) avg = 0;
    return {
      customer_id: c.customer_id,
      frequency: c.frequency,
      recency: c.recency,
      T: c.T,
      p_alive: bg.pAlive,
      expected_orders: bg.orders,
      expected_avg_value: Math.round(avg * 100),
      expected_value: Math.round(bg.orders * avg * 100),
    };
  };
}
