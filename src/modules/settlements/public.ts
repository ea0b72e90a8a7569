import type { Queryable } from '../../platform/db/database';
import { revenueSharesBetween } from './service';

/** What other modules may know of settlements: these functions, never the tables. */

/**
 * The revenue share each of these stores earned between two days (YYYY-MM-DD, inclusive) of the
 * retailer's time zone `tz`, by the date of each credit and reversal, in fen, keyed by store (every
 * store asked for is in it): the league's and scorecards' "revenue share earned". `orders` counts
 * the online orders credited in the range; `net` = credits + reversals.
 */
export function storeRevenueShares(
  db: Queryable,
  tz: string,
  locationIds: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, { orders: number; credits: number; reversals: number; net: number }>> {
  return revenueSharesBetween(db, tz, locationIds, from, to);
}
