import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { countedCustomerRoots } from '../customers/public';
import { sales } from '../orders/public';
import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit, type Rfm } from './bgnbd';
import { conditionalExpectedAverageValue, fitGammaGamma, type GammaGammaFit } from './gamma-gamma';
import './tables';

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

/**
 * Every counted customer's summary up to the calibration end, in one aggregate statement (README,
 * "Lifetime value"): sales (paid or completed, neither cancelled nor expired; net of refunds) of
 * the group's members, under its root (never anonymous or erased people), by calendar day in the
 * retailer's time zone; one calendar day is one purchase (its amounts add up). x = purchase days
 * − 1; t_x = last − first purchase day; T = calibration end − first purchase day (both in weeks);
 * m̄ = the repeat days' net total / x, in yuan.
 */
export async function clvSummaries(db: Queryable, calibrationEnd: string, timezone: string): Promise<ClvSummary[]> {
  const end = sql`${calibrationEnd}::date`;
  const tz = sql`${timezone}::text`;
  const r = await sql<{ customer_id: string; x: number; tx_days: number; t_days: number; repeat_net: string }>`
    WITH per_id AS (
      SELECT s.customer_id, (s.placed_at AT TIME ZONE ${tz})::date AS day, sum(s.net) AS net
      FROM ${sales} s
      WHERE s.placed_at < ((${end} + 1)::timestamp AT TIME ZONE ${tz})
      GROUP BY 1, 2
    ), per_day AS (
      SELECT c.root, d.day, sum(d.net) AS net
      FROM per_id d JOIN ${countedCustomerRoots} c ON c.id = d.customer_id
      GROUP BY 1, 2
    ), marked AS (
      SELECT root, day, net, min(day) OVER (PARTITION BY root) AS first_day FROM per_day
    )
    SELECT root AS customer_id, (count(*) - 1)::int AS x, (max(day) - min(day))::int AS tx_days,
      (${end} - min(day))::int AS t_days, coalesce(sum(net) FILTER (WHERE day > first_day), 0)::text AS repeat_net
    FROM marked GROUP BY root`.execute(db);
  return r.rows.map((row) => ({
    customer_id: row.customer_id,
    frequency: row.x,
    recency: row.tx_days / WEEK_DAYS,
    T: row.t_days / WEEK_DAYS,
    monetary: row.x > 0 ? Number(row.repeat_net) / 100 / row.x : 0,
  }));
}

export interface ClvFits {
  bgnbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
}

/** Why a run cannot fit: the data, not the server, is at fault (recorded on the run). */
export class ClvDataError extends Error {}

/**
 * Both models fitted by maximum likelihood on the summaries (Gamma-Gamma on repeat buyers with
 * m̄ > 0). BG/NBD's likelihood depends only on (x, t_x, T), whole days here: it is summed over the
 * distinct summaries, each weighted by its customers — the same maximum, far fewer terms.
 */
export function fitModels(summaries: readonly ClvSummary[]): ClvFits {
  if (!summaries.some((c) => c.frequency > 0 && c.monetary > 0))
    throw new ClvDataError('no customer bought again (for more than 0) by the calibration end: nothing to fit');
  const distinct = new Map<string, Rfm & { weight: number }>();
  for (const c of summaries) {
    const key = `${c.frequency}|${c.recency}|${c.T}`;
    const seen = distinct.get(key);
    if (seen) seen.weight++;
    else distinct.set(key, { frequency: c.frequency, recency: c.recency, T: c.T, weight: 1 });
  }
  return { bgnbd: fitBgNbd([...distinct.values()]), gammaGamma: fitGammaGamma(summaries) };
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
 * their product, in fen rounded to the nearest.
 */
export function predict(fits: ClvFits, c: ClvSummary, horizonDays: number): ClvPrediction {
  const { bgnbd, gammaGamma } = fits;
  const expectedOrders = conditionalExpectedPurchases(bgnbd, c, horizonDays / WEEK_DAYS);
  const spend = { frequency: c.monetary > 0 ? c.frequency : 0, monetary: c.monetary };
  let avg = gammaGamma.q > 1 ? conditionalExpectedAverageValue(gammaGamma, spend) : spend.monetary;
  if (!Number.isFinite(avg) || avg < 0) avg = 0;
  const orders = Number.isFinite(expectedOrders) && expectedOrders > 0 ? expectedOrders : 0;
  return {
    customer_id: c.customer_id,
    frequency: c.frequency,
    recency: c.recency,
    T: c.T,
    p_alive: Math.min(1, Math.max(0, probabilityAlive(bgnbd, c))),
    expected_orders: orders,
    expected_avg_value: Math.round(avg * 100),
    expected_value: Math.round(orders * avg * 100),
  };
}

const CHUNK = 20_000;

/**
 * Writes a run's scores with multi-row statements: one INSERT … SELECT FROM unnest(arrays) per
 * chunk of 20,000 customers (nine array parameters each), the same statement on PGlite and
 * PostgreSQL, inside the caller's transaction.
 */
export async function writeScores(db: Queryable, runId: string, rows: readonly ClvPrediction[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const col = <K extends keyof ClvPrediction>(k: K) => chunk.map((r) => r[k]);
    await sql`
      INSERT INTO clv_scores (run_id, customer_id, frequency, recency, t, p_alive, expected_orders, expected_avg_value, expected_value)
      SELECT ${runId}, * FROM unnest(${col('customer_id')}::text[], ${col('frequency')}::int[],
        ${col('recency')}::float8[], ${col('T')}::float8[], ${col('p_alive')}::float8[],
        ${col('expected_orders')}::float8[], ${col('expected_avg_value')}::int8[], ${col('expected_value')}::int8[])`.execute(
      db,
    );
  }
}
