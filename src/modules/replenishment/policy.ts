/**
 * The replenishment policy (setting `replenishment_policy`): the service level safety stock is
 * sized for, each source's lead time and review period, and when a store gives stock to another.
 * A store is supplied by its nearest DC (a transfer); a DC by the supplier (a purchase request).
 */
import type { Queryable } from '../../platform/db/database';
import { getSetting, putSetting } from '../../platform/settings';

/** The source id of purchases from the supplier (every other source is a location id). */
export const SUPPLIER = 'supplier';

export interface SourceTimes {
  lead_time_days: number;
  review_period_days: number;
}

export interface ReplenishmentPolicy {
  /** the probability of not running out within lead time + review period, 0.5–0.999 */
  service_level: number;
  /** per source id (a DC's location id, or `supplier`); others take `default_source` */
  sources: Record<string, SourceTimes>;
  default_source: SourceTimes;
  rebalance: {
    /** a store gives a SKU only while it keeps more than this many days of cover */
    donor_cover_days: number;
    /** the farthest a store-to-store transfer goes */
    max_km: number;
    /** the lead time of a store-to-store transfer */
    lead_time_days: number;
  };
}

const KEY = 'replenishment_policy';

export const DEFAULT_POLICY: ReplenishmentPolicy = {
  service_level: 0.95,
  sources: { [SUPPLIER]: { lead_time_days: 7, review_period_days: 7 } },
  default_source: { lead_time_days: 2, review_period_days: 7 },
  rebalance: { donor_cover_days: 28, max_km: 15, lead_time_days: 1 },
};

export async function getPolicy(db: Queryable): Promise<ReplenishmentPolicy> {
  return (await getSetting<ReplenishmentPolicy>(db, KEY)) ?? DEFAULT_POLICY;
}

export async function setPolicy(db: Queryable, policy: ReplenishmentPolicy): Promise<void> {
  await putSetting(db, KEY, policy);
}

export function timesOf(policy: ReplenishmentPolicy, source: string): SourceTimes {
  return policy.sources[source] ?? policy.default_source;
}
