import { sql } from 'kysely';
import type { AppContext } from '../../platform/http/context';
import type { Database, Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { lockCustomersAndCoupons } from './loyalty';
import { RaceLost, writeOrderAlone, writeOrders } from './place';
import type { PreparedOrder } from './place';
import type { OrderDetail } from './view';

/**
 * Group commit for online orders. A hot stock row is locked from its reserve UPDATE until COMMIT,
 * so orders for one hot (store, SKU) would otherwise go one per commit (a WAL flush). Here an
 * order that is ready to be written joins a queue; a writer takes what has queued (up to
 * `maxBatch`) and writes it with ONE statement (writeOrders): the rows of all its orders, one
 * multi-row insert per table, then per (location, SKU) one conditional reserve for the batch's
 * total, rows locked in a fixed order. Without coupons, points or referrals in the batch that
 * statement is its own transaction: one round trip and one commit for the batch. Otherwise a
 * transaction first spends each order's coupons, points and referral in its own SAVEPOINT (an
 * order whose spend fails, e.g. a coupon another order of the batch redeemed, is rolled back to
 * its savepoint and gets its own error, the others go on), then runs the statement and commits.
 *
 * Outcomes are given only after the commit. When the batch cannot commit as a whole, nothing of
 * it was written and its orders are written again: those on a stock row that could not cover the
 * total each alone (its own statement, RaceLost when the stock went, so it is re-routed), all of
 * them alone after an unexpected error the server answered (a deadlock...). An error that may
 * have come after the commit (a failing COMMIT, a connection lost mid-statement) fails every
 * order of the batch with that error and nothing is retried. While a batch is in flight the next
 * one queues up; an idle writer takes a lone order at once, so nothing waits for a timer. A batch
 * of one is simply written alone; on PGlite (one connection) there is one writer.
 */

interface Job {
  order: PreparedOrder;
  /** Write it in its own transaction, not in a batch. */
  alone: boolean;
  /** How often it went back to the queue without an outcome. */
  requeued: number;
  resolve(detail: OrderDetail): void;
  reject(err: unknown): void;
}

export interface OrderWriterOptions {
  /** Most orders in one transaction; 1 turns group commit off. */
  maxBatch: number;
  /** Transactions writing batches at the same time (each holds a pooled connection). */
  writers: number;
}

/** A job that went back to the queue this often is written alone (progress under contention). */
const MAX_REQUEUES = 3;

class BatchFailed extends Error {
  constructor(readonly alone: Set<Job>) {
    super('batch needs to be split');
  }
}

export class OrderWriter {
  private readonly queue: Job[] = [];
  private active = 0;
  private paused = false;
  /** Figures for tests and benchmarks. */
  readonly stats = { batches: 0, batchedOrders: 0, alone: 0, split: 0, largest: 0 };

  constructor(
    private readonly database: Database,
    readonly options: OrderWriterOptions,
  ) {}

  /** Writes the order (in some transaction, maybe shared); resolves once it committed. */
  write(order: PreparedOrder): Promise<OrderDetail> {
    return new Promise((resolve, reject) => {
      this.queue.push({ order, alone: this.options.maxBatch <= 1, requeued: 0, resolve, reject });
      this.pump();
    });
  }

  /** Orders waiting for a writer. */
  get queued(): number {
    return this.queue.length;
  }

  /** Tests: let orders queue up without writing them until the returned function is called. */
  pause(): () => void {
    this.paused = true;
    return () => {
      this.paused = false;
      this.pump();
    };
  }

  private pump(): void {
    while (!this.paused && this.active < Math.max(1, this.options.writers) && this.queue.length > 0) {
      const batch = this.take();
      this.active++;
      void this.run(batch)
        .catch((err: unknown) => {
          for (const j of batch) j.reject(err); // a bug, not a database outcome: nobody waits forever
        })
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  /** The oldest job, and the jobs queued after it up to maxBatch, unless one of them must go alone. */
  private take(): Job[] {
    const first = this.queue.shift()!;
    if (first.alone) return [first];
    const batch = [first];
    for (let i = 0; i < this.queue.length && batch.length < this.options.maxBatch; ) {
      if (this.queue[i].alone) i++;
      else batch.push(this.queue.splice(i, 1)[0]);
    }
    return batch;
  }

  private requeue(jobs: Job[], alone: (j: Job) => boolean): void {
    for (const j of jobs) {
      j.requeued++;
      j.alone = j.alone || alone(j) || j.requeued > MAX_REQUEUES;
    }
    this.queue.unshift(...jobs);
  }

  private async run(batch: Job[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    const failed = new Map<Job, unknown>();
    let committing = false;
    try {
      if (batch.some((j) => j.order.spends)) {
        // Not transact(): a batch that fails (a deadlock too) is split below and its orders are
        // written again alone, each in a transaction that retries (writeOrderAlone).
        await this.database.db.transaction().execute(async (tx) => {
          await this.spendAll(tx, batch, failed);
          const ok = batch.filter((j) => !failed.has(j));
          if (ok.length > 0) await writeBatch(tx, ok);
          committing = true;
        });
      } else await writeBatch(this.database, batch); // one statement, its own transaction
    } catch (err) {
      // A COMMIT that failed, or a statement that got no answer from the server, may have
      // committed: nobody retries (as alone). An error the server answered with rolled it back.
      if (committing || !answeredByServer(err)) {
        for (const j of batch) j.reject(err);
        return;
      }
      // Nothing was written and no outcome was given. Write the orders again; those on a stock
      // row that ran short, and all of them after an unexpected error, each alone.
      this.stats.split++;
      const aloneSet = err instanceof BatchFailed ? err.alone : null;
      this.requeue(batch, (j) => aloneSet === null || aloneSet.has(j));
      return;
    }
    this.stats.batches++;
    this.stats.batchedOrders += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    const retry: Job[] = [];
    for (const j of batch) {
      if (!failed.has(j)) j.resolve(j.order.detail);
      else if (failed.get(j) instanceof AppError) j.reject(failed.get(j));
      else retry.push(j); // an unexpected error in its savepoint (a deadlock between batches...): once more, alone
    }
    if (retry.length) this.requeue(retry, () => true);
  }

  /**
   * Each order's loyalty spend in its own savepoint, after the persons and then the coupons of
   * the whole batch were locked in the lock order (ranks 2, 3; the stock, rank 4, comes last).
   */
  private async spendAll(tx: Tx, batch: Job[], failed: Map<Job, unknown>): Promise<void> {
    const spenders = batch.filter((j) => j.order.spends);
    await lockCustomersAndCoupons(tx, spenders.map((j) => j.order.customerId), spenders.flatMap((j) => j.order.coupons));
    for (const [i, j] of spenders.entries()) {
      const name = sql.raw(`order_${i}`);
      await sql`SAVEPOINT ${name}`.execute(tx);
      try {
        await j.order.spend(tx);
        await sql`RELEASE SAVEPOINT ${name}`.execute(tx);
      } catch (err) {
        await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(tx);
        await sql`RELEASE SAVEPOINT ${name}`.execute(tx);
        failed.set(j, err);
      }
    }
  }

  private async runAlone(job: Job): Promise<void> {
    this.stats.alone++;
    try {
      job.resolve(await writeOrderAlone(this.database, job.order));
    } catch (err) {
      job.reject(err);
    }
  }
}

/** The batch's rows and reservations in one statement; a stock row that ran short fails the batch and its orders go alone. */
async function writeBatch(target: Tx | Database, jobs: Job[]): Promise<void> {
  try {
    await writeOrders(target, jobs.map((j) => j.order));
  } catch (err) {
    if (!(err instanceof RaceLost)) throw err;
    const short = new Set(err.rows.map((r) => `${r.location}\u0000${r.sku}`));
    throw new BatchFailed(new Set(jobs.filter((j) => j.order.units.some((u) => short.has(`${u.location}\u0000${u.sku}`)))));
  }
}

/** An error with a SQLSTATE came from the server, which rolled the statement (and its transaction) back. */
function answeredByServer(err: unknown): boolean {
  return err instanceof BatchFailed || typeof (err as { code?: unknown } | null)?.code === 'string';
}

const writers = new WeakMap<Database, OrderWriter>();

/** The order writer of this database handle (one per process and database). */
export function orderWriter(ctx: AppContext): OrderWriter {
  let w = writers.get(ctx.database);
  if (!w) {
    const pglite = ctx.database.kind === 'pglite';
    w = new OrderWriter(ctx.database, { maxBatch: ctx.config.orderBatchMax, writers: pglite ? 1 : ctx.config.orderWriters });
    writers.set(ctx.database, w);
  }
  return w;
}
