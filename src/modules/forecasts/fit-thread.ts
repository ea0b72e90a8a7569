/**
 * The body of a forecast fitting thread (fit-pool.ts starts them): chunks of SKUs in, their
 * forecasts out, one message each way per chunk.
 */
import { parentPort } from 'node:worker_threads';
import { fitChunk, replyBuffers, type ChunkRequest } from './fit-chunk';

parentPort!.on('message', (req: ChunkRequest) => {
  const reply = fitChunk(req);
  parentPort!.postMessage(reply, replyBuffers(reply));
});
