/**
 * GET /v1/analytics/cohorts: people grouped by the period of their first sale ever (the cohort),
 * and per period since, how many of them bought again and their net sales (customer-derived.ts).
 */
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { periodKey, periodKeysOf, rate } from './customers';
import { checkRange } from './sales';

export const COHORT_PERIODS = ['month', 'week'] as const;
export type CohortPeriod = (typeof COHORT_PERIODS)[number];

export const COHORT_DEFINITIONS =
  'A cohort is the identified people (One ID group roots) whose first sale ever (an order paid or completed, dated by ' +
  "placed_at in the retailer's time zone) falls in a period (month YYYY-MM, or week keyed by its Monday) between from " +
  'and to. For each period since (index 0 = the cohort\u2019s own period) up to the period of `to`: active = cohort ' +
  'members with a sale in that period, retention = active / customers (a fraction rounded to 4 places; 1 at index 0), ' +
  'net_sales = gross − discounts − refunds of the cohort\u2019s sales and returns dated in that period (fen). Only days ' +
  'up to `to` count.';

export interface CohortReport {
  from: string;
  to: string;
  period: CohortPeriod;
  cohorts: {
    cohort: string;
    customers: number;
    periods: { index: number; active: number; retention: number; net_sales: number }[];
  }[];
}

export async function cohortReport(
  db: Queryable,
  q: { from: string; to: string; period?: CohortPeriod },
): Promise<CohortReport> {
  const range = checkRange(q.from, q.to);
  const period = q.period ?? 'month';
  const cohortKey = periodKey(period, sql`f.first_day`);
  const [sizes, activity] = await Promise.all([
    sql<{ cohort: string; n: string }>`
      SELECT ${cohortKey} AS cohort, count(*)::text AS n FROM analytics_customer_firsts f
      WHERE f.first_day BETWEEN ${q.from}::date AND ${q.to}::date GROUP BY 1`.execute(db),
    // Per first-sale day and day (analytics_cohort_days, migration 2980): a person is active in a
    // period once, on their first sale in it, so the days up to `to` add up to the period's actives.
    sql<{ cohort: string; key: string; active: string; net: string }>`
      SELECT ${periodKey(period, sql`c.first_day`)} AS cohort, ${periodKey(period, sql`c.day`)} AS key,
             sum(c.active)::text AS active, sum(c.net)::text AS net
      FROM analytics_cohort_days c
      WHERE c.period = ${period} AND c.first_day BETWEEN ${q.from}::date AND ${q.to}::date AND c.day <= ${q.to}::date
      GROUP BY 1, 2`.execute(db),
  ]);
  const keys = periodKeysOf(period, range.from, range.to);
  const found = new Map(activity.rows.map((r) => [`${r.cohort}|${r.key}`, r]));
  const size = new Map(sizes.rows.map((r) => [r.cohort, Number(r.n)]));
  const cohorts = keys
    .filter((k) => size.has(k))
    .map((cohort) => {
      const customers = size.get(cohort)!;
      const since = keys.slice(keys.indexOf(cohort));
      return {
        cohort,
        customers,
        periods: since.map((key, index) => {
          const r = found.get(`${cohort}|${key}`);
          const active = Number(r?.active ?? 0);
          return { index, active, retention: rate(active, customers), net_sales: Number(r?.net ?? 0) };
        }),
      };
    });
  return { from: q.from, to: q.to, period, cohorts };
}
