import type { Queryable } from '../../platform/db/database';
import { revenueShareBetween } from './service';

/** What other modules may know of settlements: these functions, never the tables. */

/**
 * The revenue share a store earned between two days (YYYY-MM-DD, inclusive) of the retailer's time
 * zone `tz`, by the date of each credit and reversal, in fen: the store scorecard's "revenue share
 * earned". `orders` counts the online orders credited in the range; `net` = credits + reversals.
 */
export function storeRevenueShare(
  db: Queryable,
  tz: string,
  locationId: string,
  from: string,
  to: string,
): Promise<{ orders: number; credits: number; reversals: number; net: number }> {
  return revenueShareBetween(db, tz, locationId, from, to);
}
