import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../platform/jobs/ts-worker';
import {
  packChunk,
  requestBuffers,
  unpackChunk,
  type ChunkReply,
  type ChunkRequest,
  type SkuSeries,
} from './fit-chunk';
import type { SeriesForecast } from './panel';

/** SKUs per message to a thread: large enough that a message's cost is small beside its fitting. */
const CHUNK_SKUS = 50;

/**
 * Fitting threads of a run: SANTONG_FORECAST_WORKERS, else one core left for the server and the
 * database, at most 4; at least 1.
 */
export function forecastWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SANTONG_FORECAST_WORKERS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`SANTONG_FORECAST_WORKERS must be a positive integer, got "${raw}"`);
    return n;
  }
  return Math.max(1, Math.min(os.availableParallelism() - 1, 4));
}

interface Task {
  req: ChunkRequest;
  resolve: (r: ChunkReply) => void;
  reject: (e: unknown) => void;
}

/**
 * Threads fitting chunks of SKUs (fit-thread.ts), each one chunk at a time, the rest queued;
 * started at the first chunk (a run with nothing to fit starts none).
 */
class FitPool {
  private readonly threads: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private failure: unknown = null;
  private started = false;

  constructor(private readonly size: number) {}

  private start() {
    this.started = true;
    for (let i = 0; i < this.size; i++) {
      const w = startTsWorker(new URL('./fit-thread.ts', import.meta.url));
      w.on('message', (reply: ChunkReply) => {
        const task = this.busy.get(w);
        if (!task) return; // failed meanwhile
        task.resolve(reply);
        this.busy.delete(w);
        this.idle.push(w);
        this.next();
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => this.fail(new Error(`a forecast fitting thread exited (${code})`)));
      this.threads.push(w);
      this.idle.push(w);
    }
  }

  fit(req: ChunkRequest): Promise<ChunkReply> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      if (!this.started) this.start();
      this.queue.push({ req, resolve, reject });
      this.next();
    });
  }

  private next() {
    while (this.failure === null && this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.busy.set(w, task);
      w.postMessage(task.req, requestBuffers(task.req));
    }
  }

  /** A thread died: every chunk in flight or waiting fails (the run fails; nothing is half-written as done). */
  private fail(err: unknown) {
    this.failure ??= err;
    for (const t of [...this.busy.values(), ...this.queue.splice(0)]) t.reject(this.failure);
    this.busy.clear();
  }

  async close() {
    this.failure ??= new Error('the forecast pool is closed');
    for (const w of this.threads) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}

export interface FittedSku {
  sku: string;
  inputs: SkuSeries;
  forecasts: SeriesForecast[];
}

/**
 * Every SKU forecast and reconciled (panel.ts's forecastSku) on `workers` threads, chunk by chunk,
 * handed to `write` in the order given, one chunk at a time: the results are the same as fitting
 * on this thread, and at most two chunks per thread wait in memory while `write` runs.
 */
export async function forecastInPool(
  skus: Iterable<[string, SkuSeries]> | AsyncIterable<[string, SkuSeries]>,
  horizon: number,
  workers: number,
  write: (fitted: FittedSku[]) => Promise<void>,
): Promise<void> {
  const pool = new FitPool(workers);
  const pending: Promise<FittedSku[]>[] = [];
  const submit = (chunk: [string, SkuSeries][]) => {
    const inputs = chunk.map(([, s]) => s);
    const p = pool
      .fit(packChunk(inputs, horizon))
      .then((reply) =>
        unpackChunk(inputs, reply, horizon).map((forecasts, i) => ({ sku: chunk[i][0], inputs: inputs[i], forecasts })),
      );
    p.catch(() => undefined); // awaited in order below; a rejection is not unhandled meanwhile
    pending.push(p);
  };
  try {
    let chunk: [string, SkuSeries][] = [];
    for await (const entry of skus) {
      chunk.push(entry);
      if (chunk.length < CHUNK_SKUS) continue;
      submit(chunk);
      chunk = [];
      if (pending.length >= 2 * workers) await write(await pending.shift()!);
    }
    if (chunk.length > 0) submit(chunk);
    while (pending.length > 0) await write(await pending.shift()!);
  } finally {
    await pool.close();
  }
}
