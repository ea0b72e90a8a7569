/**
 * Group commit, knowing nothing of what it writes. An item that is ready to be written joins a
 * queue; an idle writer takes the oldest and the items queued after it (up to `maxBatch`) and
 * hands them to the sink's `writeBatch`, a batch of one to its `writeOne`. While a batch is in
 * flight the next one queues up; an idle writer takes a lone item at once, so nothing waits for a
 * timer. Outcomes are given only after the batch committed.
 *
 * When a batch cannot commit as a whole, nothing of it was written and its items are written
 * again: those `SplitBatch` names each alone, all of them alone after any other error the database
 * answered (a deadlock...). An error that may have come after the commit (`MayHaveCommitted`, or a
 * connection lost mid-statement: no SQLSTATE) fails every item of the batch and nothing is retried.
 */

export interface BatchWriterOptions {
  /** Most items in one batch; 1 turns group commit off. */
  maxBatch: number;
  /** Batches written at the same time (each may hold a pooled connection). */
  writers: number;
}

/** One item's outcome in a batch that committed: its value, or the error it alone failed with. */
export type ItemOutcome<R> =
  { ok: true; value: R } | { ok: false; error: unknown; /** Write it again, alone. */ again: boolean };

/** What the writer writes with. */
export interface BatchSink<T, R> {
  /** Writes two or more items together; resolves once that committed, with an outcome per item, in order. */
  writeBatch(items: T[]): Promise<ItemOutcome<R>[]>;
  /** Writes one item by itself. */
  writeOne(item: T): Promise<R>;
}

/** Thrown by writeBatch when nothing was written: the batch is written again, these items each alone. */
export class SplitBatch<T> extends Error {
  constructor(readonly alone: ReadonlySet<T>) {
    super('batch needs to be split');
  }
}

/** Thrown by writeBatch when its COMMIT failed: every item fails with `error`, none is retried. */
export class MayHaveCommitted extends Error {
  constructor(readonly error: unknown) {
    super('the batch may have committed');
  }
}

interface Job<T, R> {
  item: T;
  /** Write it alone, not in a batch. */
  alone: boolean;
  /** How often it went back to the queue without an outcome. */
  requeued: number;
  resolve(value: R): void;
  reject(err: unknown): void;
}

/** A job that went back to the queue this often is written alone (progress under contention). */
const MAX_REQUEUES = 3;

export class BatchWriter<T, R> {
  private readonly queue: Job<T, R>[] = [];
  private active = 0;
  private paused = false;
  /** Figures for tests and benchmarks. */
  readonly stats = { batches: 0, batchedItems: 0, alone: 0, split: 0, largest: 0 };

  constructor(
    private readonly sink: BatchSink<T, R>,
    readonly options: BatchWriterOptions,
  ) {}

  /** Writes the item (in some batch, maybe alone); resolves once it committed. */
  write(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, alone: this.options.maxBatch <= 1, requeued: 0, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a writer. */
  get queued(): number {
    return this.queue.length;
  }

  /** Tests: let items queue up without writing them until the returned function is called. */
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
  private take(): Job<T, R>[] {
    const first = this.queue.shift()!;
    if (first.alone) return [first];
    const batch = [first];
    for (let i = 0; i < this.queue.length && batch.length < this.options.maxBatch;) {
      if (this.queue[i].alone) i++;
      else batch.push(this.queue.splice(i, 1)[0]);
    }
    return batch;
  }

  private requeue(jobs: Job<T, R>[], alone: (j: Job<T, R>) => boolean): void {
    for (const j of jobs) {
      j.requeued++;
      j.alone = j.alone || alone(j) || j.requeued > MAX_REQUEUES;
    }
    this.queue.unshift(...jobs);
  }

  private async run(batch: Job<T, R>[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    let outcomes: ItemOutcome<R>[];
    try {
      outcomes = await this.sink.writeBatch(batch.map((j) => j.item));
    } catch (err) {
      if (err instanceof MayHaveCommitted || !rolledBack(err)) {
        for (const j of batch) j.reject(err instanceof MayHaveCommitted ? err.error : err);
        return;
      }
      // Nothing was written and no outcome was given: write the items again.
      this.stats.split++;
      const alone = err instanceof SplitBatch ? (err.alone as ReadonlySet<T>) : null;
      this.requeue(batch, (j) => alone === null || alone.has(j.item));
      return;
    }
    this.stats.batches++;
    this.stats.batchedItems += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    const again: Job<T, R>[] = [];
    for (const [i, j] of batch.entries()) {
      const o = outcomes[i];
      if (o.ok) j.resolve(o.value);
      else if (o.again) again.push(j);
      else j.reject(o.error);
    }
    if (again.length) this.requeue(again, () => true);
  }

  private async runAlone(job: Job<T, R>): Promise<void> {
    this.stats.alone++;
    try {
      job.resolve(await this.sink.writeOne(job.item));
    } catch (err) {
      job.reject(err);
    }
  }
}

/** SplitBatch, or an error with a SQLSTATE: the server answered and rolled the statement (and its transaction) back. */
function rolledBack(err: unknown): boolean {
  return err instanceof SplitBatch || typeof (err as { code?: unknown } | null)?.code === 'string';
}
