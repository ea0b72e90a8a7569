import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database';
import { AppError } from '../http/errors';

const HEADER = 'idempotency-key';

/** Keyed (HMAC) so that a stored fingerprint of a body holding a phone number cannot be brute-forced. */
function requestHash(req: FastifyRequest, key: Buffer): string {
  return crypto.createHmac('sha256', key).update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
}

/**
 * Idempotency-Key for writes: the first request with a key claims it; a repeat of a finished
 * request gets the first response back with no second effect; a repeat while the first is
 * running, or with a different body, gets 409. 5xx answers release the key so it can be retried.
 */
export function registerIdempotency(app: FastifyInstance, database: Database, hashKey: Buffer): void {
  app.decorateRequest('idempotencyClaim', null);

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.headers[HEADER];
    if (raw === undefined || !['POST', 'PUT', 'DELETE', 'PATCH'].includes(req.method)) return;
    if (req.routeOptions.config.idempotent === false || !req.principal) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key.length < 1 || key.length > 200) throw new AppError(400, 'invalid_request', 'Idempotency-Key must be 1 to 200 characters', 'Idempotency-Key');
    const hash = requestHash(req, hashKey);
    const apiKeyId = req.principal.keyId;
    const claimed = await database.db
      .insertInto('idempotency_keys')
      .values({ api_key_id: apiKeyId, key, method: req.method, path: req.url, request_hash: hash, status_code: null, response_body: null, completed_at: null })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .executeTakeFirst();
    if (claimed) {
      req.idempotencyClaim = { apiKeyId, key };
      return;
    }
    const prior = await database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('api_key_id', '=', apiKeyId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!prior) throw new AppError(409, 'idempotency_conflict', 'the request with this Idempotency-Key was just released; retry', 'Idempotency-Key');
    if (prior.request_hash !== hash) {
      throw new AppError(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request', 'Idempotency-Key');
    }
    if (prior.status_code === null) {
      throw new AppError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is still being processed', 'Idempotency-Key');
    }
    reply.header('idempotent-replayed', 'true');
    reply.code(prior.status_code).type('application/json').send(prior.response_body ?? '');
    return reply;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotencyClaim;
    if (!claim) return payload;
    req.idempotencyClaim = null;
    const where = database.db.updateTable('idempotency_keys').where('api_key_id', '=', claim.apiKeyId).where('key', '=', claim.key);
    if (reply.statusCode >= 500) {
      await database.db.deleteFrom('idempotency_keys').where('api_key_id', '=', claim.apiKeyId).where('key', '=', claim.key).execute();
    } else {
      await where.set({ status_code: reply.statusCode, response_body: typeof payload === 'string' ? payload : JSON.stringify(payload ?? null), completed_at: new Date() }).execute();
    }
    return payload;
  });
}
