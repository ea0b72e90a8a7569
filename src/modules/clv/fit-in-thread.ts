import { startTsWorker } from '../../platform/jobs/ts-worker';
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
    const worker = startTsWorker(new URL('./fit-thread.ts', import.meta.url), {
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
