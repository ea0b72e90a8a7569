import { sql } from 'kysely';
import type { Tx } from './database';

/**
 * THE LOCK ORDER. A transaction that locks more than one kind of thing takes them in this order
 * (never one of an earlier rank while it holds one of a later rank), and within a rank in the
 * order given, so two transactions never wait for each other in a cycle:
 *
 *   0. a batch of journey enrolment rows (`journey_enrolments … FOR UPDATE SKIP LOCKED`, journeys/runner.ts:
 *      never waited for), of one journey at one step, then that journey's row FOR SHARE (a pause or
 *      archive updates it, so it waits for batches under way); then the step's own locks for the
 *      whole batch, each kind in its rank's order (persons' rows by root; the coupon keys in byte
 *      order, then the template; the message caps in byte order), one step per transaction.
 *      Taking no order row, it may come before rank 1.
 *      Erasure's journeys step updates the person's enrolment rows after rank 2 (a deadlock with a
 *      step of the same person is retried by transact()).
 *   1. order rows: `orders … FOR UPDATE` (lockOrderRow, lockOrdersOf in orders/locks.ts), by id in "C" order.
 *      What an order owns (lines, fulfilments, reservations, courier jobs, returns) is written
 *      only under its order's lock and has no rank of its own. Placing an order inserts its
 *      rows: nobody can be waiting for them.
 *   2. persons, by root id in "C" order: the One ID group's customer rows (root first, then the
 *      others by id) where a path locks them (identity, erasure), then the person's advisory
 *      lock `points:<root>` (lockPersons) that every writer of its points, tier and referral
 *      rewards holds.
 *   3. coupon rows, by code in "C" order (lockCoupons in loyalty/coupons/locks.ts).
 *   3b. a group-buy campaign: its row FOR SHARE (an order's claim; the cutoff updates it alone in its
 *      own transaction), then its item rows by SKU in "C" order, each with the customer's units row
 *      (groupbuy/terms.ts; an order's cancellation or expiry gives them back in that order, without
 *      the campaign row). A campaign's shipment or receipt row is locked after its orders (rank 1)
 *      and before the stock (groupbuy/shipments.ts).
 *   4. stock rows, by (location_id, sku) in "C" (byte) order (stockOrder; stockOrderSql in SQL).
 *      A transfer's ship or receive first locks its `transfers` row (one per transaction; nothing
 *      that holds stock rows takes one), then both sides' stock rows in this order, the
 *      destination's missing rows created first in SKU order (inventory/transfer-stock.ts).
 *   5. a saved segment's or computed tag's row (`saved_segments … FOR UPDATE`, lockSegment in
 *      segments/membership.ts), one per transaction: its refresh, edit or deletion. What it owns
 *      (its membership rows, their outbox events) is written under that lock; such a transaction
 *      takes no other ranked lock. The erasure step deletes an erased person's membership rows
 *      without it (a refresh racing an erasure is corrected by the next refresh).
 *
 *   6. a store service's row (`store_services … FOR UPDATE`, lockService in appointments/services.ts),
 *      one per transaction: booking or rescheduling an appointment of it counts its overlapping
 *      appointments under that lock; rescheduling then locks the appointment's row. Cancelling or
 *      completing locks only the appointment's row. Such a transaction takes no other ranked lock.
 *      PUT services writes its store's rows in code order (two at once on one store may deadlock: retried).
 * Pre-sales (presales/service.ts) lock a pre-sale's row (FOR SHARE to reserve, pay, cancel or
 * convert, FOR UPDATE to launch), then one of its reservation rows; the only lock after them is
 * issuing the deposit's coupon (below) or voiding it (its row, rank 3, at a cancellation).
 * Converting into an order places it after those locks are released.
 *
 * Rows written below a rank's lock (ledger entries, movements, outbox) need no rank; nor do locks
 * taken by steps after which their transaction takes no more (issuing a coupon: its template's
 * row and `coupon:` key, e.g. a referral reward at payment after the stock; settlements' advisory
 * locks `settlements.periods` and `settle:<order>`, taken last in the dispatcher's batch; analytics'
 * per-person `analytics.buyer:<root>` and per-order `analytics.fulfilment:<order>`, each taken last in
 * its rollup batch, in byte order; segments' `segments.category_rollup`, the only lock of its own
 * transaction (category-rollup.ts); messaging's
 * `message-cap:<root>:<channel>`, taken by queueMessage, after which its caller takes no ranked lock). A deadlock
 * this order cannot rule out (a merge that changes a person's root meanwhile) is retried by
 * transact() (transaction.ts).
 */

/** A stock row's key. */
export interface StockKey {
  location: string;
  sku: string;
}

/**
 * Compares strings as PostgreSQL's COLLATE "C" does (UTF-8 bytes). UTF-16 code units sort the
 * same except surrogate pairs (code points ≥ U+10000), which must come after U+E000–U+FFFF.
 */
export function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Rank 4: the one order of stock rows, for every writer of more than one. */
export function stockOrder(a: StockKey, b: StockKey): number {
  return byteOrder(a.location, b.location) || byteOrder(a.sku, b.sku);
}

/** stockOrder in SQL, for a statement that locks stock rows aliased `alias`. */
export function stockOrderSql(alias: string): string {
  return `${alias}.location_id COLLATE "C", ${alias}.sku COLLATE "C"`;
}

/** The advisory lock key of a person's points, tier and referral rewards. */
function personLockKey(root: string): string {
  return 'points:' + root;
}

/** Rank 2: the advisory locks of these persons (root ids), held to the end of the transaction. */
export async function lockPersons(tx: Tx, roots: readonly string[]): Promise<void> {
  const keys = [...new Set(roots)].sort(byteOrder).map(personLockKey);
  if (keys.length === 1) await sql`SELECT pg_advisory_xact_lock(hashtextextended(${keys[0]}, 0))`.execute(tx);
  // unnest yields the keys in array order, so they are locked in it
  else if (keys.length > 1)
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${keys}::text[]) AS k`.execute(tx);
}
