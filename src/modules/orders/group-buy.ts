/**
 * Group-buy orders (channel group_buy with `group_buy: {campaign_id, leader_id}`): the group-buy
 * module owns campaigns and leaders and tells the order's terms through the function it registers
 * here at start (so orders does not import it). The order is picked up at the leader's point,
 * priced at the campaign's channel price (the same for every member: no coupons or points), and
 * reserves its units at the campaign's source location (the DC), held (no expiry) until the cutoff
 * shipment; its limits are claimed in the order's own transaction, and given back in the transaction
 * that cancels or expires it.
 */
import type { Queryable, Tx } from '../../platform/db/database';

export interface GroupBuyRef {
  campaign_id: string;
  leader_id: string;
}

export interface GroupBuyTerms {
  /** The leader's pickup point. */
  pickupLocationId: string;
  pickupDate: string;
  /** Where the units are reserved until the cutoff shipment. */
  sourceLocationId: string;
  /** The campaign's channel price per SKU, fen. */
  prices: Map<string, number>;
  /**
   * Claims the campaign's limits for this order in its transaction, after the loyalty locks and
   * before the stock (platform/db/locks.ts): 422 campaign_closed, 409 over a limit.
   */
  claim(tx: Tx, orderId: string): Promise<void>;
}

export type GroupBuyTermsOf = (
  db: Queryable,
  ref: GroupBuyRef,
  order: { customerId: string; lines: { sku: string; qty: number }[] },
  now: Date,
) => Promise<GroupBuyTerms>;

/**
 * Gives back what a group-buy order claimed of its campaign's limits, in the transaction that
 * cancels or expires it: under the order's lock (rank 1) and its person's (rank 2), before the
 * stock (rank 4). Called once per order, as it leaves the live statuses.
 */
export type GroupBuyRelease = (tx: Tx, orderId: string) => Promise<void>;

interface GroupBuyHooks {
  terms: GroupBuyTermsOf;
  release: GroupBuyRelease;
}

let hooks: GroupBuyHooks | null = null;

/** The group-buy module registers how a campaign's terms are read and its claims given back (once, at start). */
export function registerGroupBuy(h: GroupBuyHooks): void {
  hooks = h;
}

export function groupBuyTerms(...args: Parameters<GroupBuyTermsOf>): Promise<GroupBuyTerms> {
  if (!hooks) throw new Error('group-buy module not loaded');
  return hooks.terms(...args);
}

/** Gives back a cancelled or expired order's claim on its campaign's limits (group_buy channel only). */
export async function releaseGroupBuyClaim(tx: Tx, order: { id: string; channel: string }): Promise<void> {
  // Without the module loaded nothing was claimed.
  if (order.channel === 'group_buy' && hooks) await hooks.release(tx, order.id);
}
