import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Makes a public answer cacheable: Cache-Control as given and an ETag over the representation;
 * when the client already holds it (If-None-Match) the answer is 304 without a body. Returns the
 * body to send, or undefined after a 304 was sent.
 */
export function cacheable<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  body: T,
  representation: string,
  cacheControl: string,
): T | undefined {
  const etag = `W/"${crypto.createHash('sha1').update(representation).digest('base64url')}"`;
  void reply.header('etag', etag).header('cache-control', cacheControl);
  const held = req.headers['if-none-match'];
  if (held && held.split(',').some((t) => t.trim() === etag)) {
    void reply.code(304).send();
    return undefined;
  }
  return body;
}
