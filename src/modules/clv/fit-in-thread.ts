import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ClvDataError, type ClvFits, type ClvPrediction, type ClvSummary } from './fit';

export interface FitRequest {
  frequency: Float64Array;
  recency: Float64Array;
  T: Float64Array;
  monetary: Float64Array;
  horizonDays: number;
}

export type FitReply =
  | {
      ok: true;
      fits: ClvFits;
      pAlive: Float64Array;
      expectedOrders: Float64Array;
      expectedAvgValue: Float64Array;
      expectedValue: Float64Array;
    }
  | { ok: false; dataError: string };

/**
 * The sources run through tsx: a new thread registers it before loading the thread's module. The
 * bootstrap is a string (an eval worker) so no plain-JS file is needed beside the sources.
 */
function bootstrap(): string {
  // the ESM entry of tsx/esm/api, from its package's exports (require.resolve would give the CommonJS one)
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(fs.readFileSync(pkg, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const tsx = new URL(exports['./esm/api'].import.default, pathToFileURL(pkg)).href;
  const thread = new URL('./fit-thread.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(thread)}); })`;
}

/**
 * Fits both models and scores every customer in a worker thread, so the server keeps answering
 * while a large base is fitted (the fit is CPU-bound: seconds per 100,000 customers). The
 * summaries go over as columns, transferred, not copied; a ClvDataError in the thread is thrown
 * here.
 */
export async function fitAndPredict(
  summaries: readonly ClvSummary[],
  horizonDays: number,
): Promise<{ fits: ClvFits; rows: ClvPrediction[] }> {
  const n = summaries.length;
  const request: FitRequest = {
    frequency: Float64Array.from(summaries, (c) => c.frequency),
    recency: Float64Array.from(summaries, (c) => c.recency),
    T: Float64Array.from(summaries, (c) => c.T),
    monetary: Float64Array.from(summaries, (c) => c.monetary),
    horizonDays,
  };
  const reply = await new Promise<FitReply>((resolve, reject) => {
    const worker = new Worker(bootstrap(), {
      eval: true,
      workerData: request,
      transferList: [request.frequency, request.recency, request.T, request.monetary].map(
        (a) => a.buffer as ArrayBuffer,
      ),
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the CLV fitting thread exited (${code}) without an answer`)));
  });
  if (!reply.ok) throw new ClvDataError(reply.dataError);
  const rows: ClvPrediction[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = summaries[i];
    rows[i] = {
      customer_id: c.customer_id,
      frequency: c.frequency,
      recency: c.recency,
      T: c.T,
      p_alive: reply.pAlive[i],
      expected_orders: reply.expectedOrders[i],
      expected_avg_value: reply.expectedAvgValue[i],
      expected_value: reply.expectedValue[i],
    };
  }
  return { fits: reply.fits, rows };
}
