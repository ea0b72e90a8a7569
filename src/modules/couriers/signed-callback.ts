import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/http/context';
import { AppError } from '../../platform/http/errors';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const invalidSignature = () =>
  new AppError(401, 'invalid_signature', 'the callback signature is missing or wrong', 'x-santong-signature');

/**
 * A preParsing hook: reads the exact bytes sent (up to the body limit) and checks the adapter's
 * signature over them before the body is parsed or validated, so a caller that proves nothing
 * learns nothing but 401. The bytes are then handed on to the JSON parser unchanged.
 */
export function verifyCourierSignature(ctx: AppContext) {
  return async (
    req: FastifyRequest,
    _reply: unknown,
    payload: NodeJS.ReadableStream,
  ): Promise<NodeJS.ReadableStream> => {
    const raw = await readAll(payload, ctx.config.bodyLimitBytes);
    const adapter = ctx.courier;
    const name = (req.params as { adapter?: unknown }).adapter;
    if (!adapter || adapter.name !== name || !adapter.verifyCallback(req.headers, raw.toString('utf8')))
      throw invalidSignature();
    req.rawBody = raw.toString('utf8');
    return Readable.from([raw]);
  };
}

async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > limit) throw new AppError(413, 'payload_too_large', `request body exceeds ${limit} bytes`, 'body');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
