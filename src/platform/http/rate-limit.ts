import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors';

/**
 * A per-client-address limit for public routes (no key to hold to account): at most `perMinute`
 * requests per address and bucket in a fixed one-minute window, then 429 `rate_limited` with
 * Retry-After. In-process: each server process counts on its own, which is enough to stop one
 * address hammering a page (a shared limit across processes belongs in the proxy in front).
 * A small map instead of @fastify/rate-limit: one counter per address is all these routes need.
 */
export function rateLimit(bucket: string, perMinute: number) {
  let windowStart = 0;
  let counts = new Map<string, number>();
  return async function limit(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      // a new window forgets every address of the last one (the map never outgrows one minute)
      windowStart = now - (now % 60_000);
      counts = new Map();
    }
    const n = (counts.get(req.ip) ?? 0) + 1;
    counts.set(req.ip, n);
    if (n > perMinute) {
      void reply.header('retry-after', String(Math.ceil((windowStart + 60_000 - now) / 1000)));
      throw new AppError(
        429,
        'rate_limited',
        `too many requests to ${bucket} from this address: at most ${perMinute} a minute`,
      );
    }
  };
}
