import './points/tables';
import './tiers/tables';
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import { customerRoots } from '../customers/public';
import { DEFAULT_TIERS, TIERS_KEY, tierRules } from './tiers/rules';
import { windowStart } from './tiers/spend';

/** What other modules (segments) may know of loyalty beyond its routes: these, never the tables. */

/** The codes of the tiers in force, lowest first. */
export async function tierCodes(db: Queryable): Promise<string[]> {
  return (await tierRules(db)).tiers.map((t) => t.code);
}

/**
 * The tier ladder in force, as tierRules reads it (settings 'loyalty.tiers', else the defaults):
 * one row per tier, `rank` 0 for the lowest. A FROM-clause fragment: `FROM ${tierLadder} l`.
 */
export const tierLadder = sql`(
  SELECT t.value ->> 'code' AS code, (t.n - 1)::int AS rank, (t.value ->> 'min_spend')::bigint AS min_spend
  FROM jsonb_array_elements(coalesce(
    (SELECT s.value -> 'tiers' FROM settings s
     WHERE s.key = ${TIERS_KEY}::text AND jsonb_typeof(s.value -> 'tiers') = 'array' AND jsonb_array_length(s.value -> 'tiers') > 0),
    ${JSON.stringify(DEFAULT_TIERS.tiers)}::jsonb)) WITH ORDINALITY AS t(value, n))`;

/**
 * The rank (in tierLadder) of each person's tier at `asOf`, as tierOf computes it: the highest of
 * the tiers held by any id of the group and the one its spend over the 12 months up to `asOf`
 * reaches. Only groups holding a tier or with spend in the window have a row (`root`, `rank`);
 * everyone else is on the lowest tier (rank 0). A FROM-clause fragment.
 */
export const groupTierRanks = (asOf: Date) => sql`(
  SELECT y.root, coalesce(max(y.rank), 0) AS rank FROM (
    SELECT c.root, l.rank FROM customer_tiers t JOIN ${customerRoots} c ON c.id = t.customer_id
      JOIN ${tierLadder} l ON l.code = t.tier
    UNION ALL
    SELECT x.root, (SELECT max(l.rank) FROM ${tierLadder} l WHERE l.min_spend <= x.amount) FROM (
      SELECT c.root, sum(s.amount) AS amount FROM tier_spend s JOIN ${customerRoots} c ON c.id = s.customer_id
      WHERE s.at > ${windowStart(asOf).toISOString()}::timestamptz AND s.at <= ${asOf.toISOString()}::timestamptz
      GROUP BY c.root) x
  ) y GROUP BY y.root)`;

/**
 * The points balance of each group with any ledger entry (`root`, `balance`): the sum over every
 * id of the group, as balanceOf. Groups without entries have 0. A FROM-clause fragment.
 */
export const groupPointsBalances = sql`(
  SELECT c.root, sum(e.points) AS balance FROM points_entries e JOIN ${customerRoots} c ON c.id = e.customer_id
  GROUP BY c.root)`;

/**
 * Change feed for audiences kept current incrementally: ids (`id` rows) of customers whose points
 * balance or tier changed after `since` (entries, tier spend and tier rows written), and those whose
 * tier spend crossed the 12-month window edge between `since` and `asOf` (groupTierRanks changes
 * with time alone).
 */
export const loyaltyCustomersChangedSince = (since: Date, asOf: Date) => {
  const t = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  return sql<{ id: string }>`(
    SELECT customer_id AS id FROM points_entries WHERE created_at > ${t(since)}
    UNION ALL SELECT customer_id FROM customer_tiers WHERE updated_at > ${t(since)}
    UNION ALL SELECT customer_id FROM tier_spend WHERE created_at > ${t(since)}
    UNION ALL SELECT customer_id FROM tier_spend
      WHERE (at > ${t(windowStart(since))} AND at <= ${t(windowStart(asOf))}) OR (at > ${t(since)} AND at <= ${t(asOf)}))`;
};

export { usableCouponsOf, type WalletCoupon } from './wallet';
export { WalletCouponSchema } from './wallet-routes';
/** The tiers in force, lowest first (rank = index): code, name and display name per console language. */
export async function tierNames(
  db: Queryable,
): Promise<{ code: string; name: string; display_name: { 'zh-CN'?: string; en?: string } }[]> {
  return (await tierRules(db)).tiers.map((t) => ({ code: t.code, name: t.name, display_name: t.display_name ?? {} }));
}

export { currentTimezone } from './points/expiry-date';
