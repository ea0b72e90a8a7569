import { sql } from 'kysely';
import type { AppContext } from '../../platform/http/context';
import type { Database, Tx } from '../../platform/db/database';
import {
  BatchWriter,
  MayHaveCommitted,
  SplitBatch,
  type BatchSink,
  type ItemOutcome,
} from '../../platform/db/batch-writer';
import { AppError } from '../../platform/http/errors';
import { lockCustomersAndCoupons } from './loyalty';
import { RaceLost, writeOrderAlone, writeOrders } from './order-store';
import type { PlannedOrder } from './plan';
import type { OrderDetail } from './view';

/**
 * Group commit for online orders (the generic queue is platform/db/batch-writer.ts). A hot stock
 * row is locked from its reserve UPDATE until COMMIT, so orders for one hot (store, SKU) would
 * otherwise go one per commit (a WAL flush). A batch of orders is written with ONE statement
 * (writeOrders): the rows of all its orders, one multi-row insert per table, then per (location,
 * SKU) one conditional reserve for the batch's total, rows locked in a fixed order. Without
 * coupons, points or referrals in the batch that statement is its own transaction: one round trip
 * and one commit for the batch. Otherwise a transaction first spends each order's coupons, points
 * and referral in its own SAVEPOINT (an order whose spend fails, e.g. a coupon another order of
 * the batch redeemed, is rolled back to its savepoint and gets its own error, the others go on),
 * then runs the statement and commits. Orders on a stock row that could not cover the batch's
 * total are written again alone (RaceLost when the stock went, so they are re-routed). A batch of
 * one is simply written alone; on PGlite (one connection) there is one writer.
 */
export type OrderWriter = BatchWriter<PlannedOrder, OrderDetail>;

function orderSink(database: Database): BatchSink<PlannedOrder, OrderDetail> {
  return {
    writeOne: (order) => writeOrderAlone(database, order),
    async writeBatch(orders) {
      const failed = new Map<PlannedOrder, unknown>();
      if (!orders.some((o) => o.spends))
        await writeBatch(database, orders); // one statement, its own transaction
      else {
        let committing = false;
        try {
          // Not transact(): a batch that fails (a deadlock too) is split and its orders are
          // written again alone, each in a transaction that retries (writeOrderAlone).
          await database.db.transaction().execute(async (tx) => {
            await spendAll(tx, orders, failed);
            const ok = orders.filter((o) => !failed.has(o));
            if (ok.length > 0) await writeBatch(tx, ok);
            committing = true;
          });
        } catch (err) {
          throw committing ? new MayHaveCommitted(err) : err;
        }
      }
      return orders.map((o): ItemOutcome<OrderDetail> => {
        if (!failed.has(o)) return { ok: true, value: o.detail };
        const error = failed.get(o);
        // An unexpected error in its savepoint (a deadlock between batches...): once more, alone.
        return { ok: false, error, again: !(error instanceof AppError) };
      });
    },
  };
}

/**
 * Each order's loyalty spend in its own savepoint, after the persons and then the coupons of
 * the whole batch were locked in the lock order (ranks 2, 3; the stock, rank 4, comes last).
 */
async function spendAll(tx: Tx, batch: PlannedOrder[], failed: Map<PlannedOrder, unknown>): Promise<void> {
  const spenders = batch.filter((o) => o.spends);
  await lockCustomersAndCoupons(
    tx,
    spenders.map((o) => o.customerId),
    spenders.flatMap((o) => o.coupons),
  );
  for (const [i, o] of spenders.entries()) {
    const name = sql.raw(`order_${i}`);
    await sql`SAVEPOINT ${name}`.execute(tx);
    try {
      await o.spend(tx);
      await sql`RELEASE SAVEPOINT ${name}`.execute(tx);
    } catch (err) {
      await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(tx);
      await sql`RELEASE SAVEPOINT ${name}`.execute(tx);
      failed.set(o, err);
    }
  }
}

/** The batch's rows and reservations in one statement; a stock row that ran short splits the batch and its orders go alone. */
async function writeBatch(target: Tx | Database, orders: PlannedOrder[]): Promise<void> {
  try {
    await writeOrders(target, orders);
  } catch (err) {
    if (!(err instanceof RaceLost)) throw err;
    const short = new Set(err.rows.map((r) => `${r.location}\u0000${r.sku}`));
    throw new SplitBatch(new Set(orders.filter((o) => o.units.some((u) => short.has(`${u.location}\u0000${u.sku}`)))));
  }
}

const writers = new WeakMap<Database, OrderWriter>();

/** The order writer of this database handle (one per process and database). */
export function orderWriter(ctx: AppContext): OrderWriter {
  let w = writers.get(ctx.database);
  if (!w) {
    const pglite = ctx.database.kind === 'pglite';
    w = new BatchWriter(orderSink(ctx.database), {
      maxBatch: ctx.config.orderBatchMax,
      writers: pglite ? 1 : ctx.config.orderWriters,
    });
    writers.set(ctx.database, w);
  }
  return w;
}
