/**
 * The body of the thread a CLV run fits in (fit-in-thread.ts starts it): the summaries arrive as
 * columns, the fitted parameters and every customer's predictions go back as columns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ClvDataError, fitModels, predictor, type ClvSummary } from './fit';
import type { FitReply, FitRequest } from './fit-in-thread';

function run({ frequency, recency, T, monetary, horizonDays }: FitRequest): FitReply {
  const n = frequency.length;
  const summaries: ClvSummary[] = new Array(n);
  for (let i = 0; i < n; i++)
    summaries[i] = { customer_id: '', frequency: frequency[i], recency: recency[i], T: T[i], monetary: monetary[i] };
  try {
    const fits = fitModels(summaries);
    const out = {
      pAlive: new Float64Array(n),
      expectedOrders: new Float64Array(n),
      expectedAvgValue: new Float64Array(n),
      expectedValue: new Float64Array(n),
    };
    const predict = predictor(fits, horizonDays);
    for (let i = 0; i < n; i++) {
      const p = predict(summaries[i]);
      out.pAlive[i] = p.p_alive;
      out.expectedOrders[i] = p.expected_orders;
      out.expectedAvgValue[i] = p.expected_avg_value;
      out.expectedValue[i] = p.expected_value;
    }
    return { ok: true, fits, ...out };
  } catch (e) {
    if (e instanceof ClvDataError) return { ok: false, dataError: e.message };
    throw e;
  }
}

const reply = run(workerData as FitRequest);
parentPort!.postMessage(
  reply,
  reply.ok
    ? [reply.pAlive, reply.expectedOrders, reply.expectedAvgValue, reply.expectedValue].map(
        (a) => a.buffer as ArrayBuffer,
      )
    : [],
);
