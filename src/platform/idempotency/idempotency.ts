import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import { AppError } from '../http/errors';
import {
  claimKeys,
  completeKeys,
  keyId,
  lookUpKeys,
  recordKeys,
  releaseKey,
  type Claim,
  type KeyRow,
  type StoredKey,
} from './key-store';

const HEADER = 'idempotency-key';

/** Header on a replay whose first answer held secrets: they were shown once and are not stored. */
const SECRET_OMITTED_HEADER = 'idempotent-secret-omitted';

/** JSON with object keys sorted at every depth: the same request with keys reordered is the same request. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Keyed (HMAC) so that a stored fingerprint of a body holding a phone number cannot be brute-forced. */
function requestHash(req: FastifyRequest, key: Buffer): string {
  return crypto
    .createHmac('sha256', key)
    .update(`${req.method} ${req.url}\n${canonicalJson(req.body ?? null)}`)
    .digest('hex');
}

/** The answer as stored for replays: without the route's secret fields (an API key's secret is shown once). */
function storedBody(payload: unknown, secretFields: readonly string[] | undefined): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
  if (!secretFields?.length) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text; // not JSON: no fields to hold a secret
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
  const kept = Object.fromEntries(Object.entries(parsed).filter(([k]) => !secretFields.includes(k)));
  return JSON.stringify(kept);
}

/** In this process, the keys of requests running without a claim row (routes with recordsIdempotency), with their hashes. */
const running = new WeakMap<Database, Map<string, string>>();

function runningOf(database: Database): Map<string, string> {
  let m = running.get(database);
  if (!m) running.set(database, (m = new Map()));
  return m;
}

const inProgress = () =>
  new AppError(
    409,
    'idempotency_in_progress',
    'a request with this Idempotency-Key is still being processed',
    'Idempotency-Key',
  );
const reused = () =>
  new AppError(
    409,
    'idempotency_key_reused',
    'this Idempotency-Key was used with a different request',
    'Idempotency-Key',
  );

/**
 * A request's Idempotency-Key on a route whose own write records it (config.recordsIdempotency):
 * the route puts row() into its write statement (keyRowsInsert) and calls committed() once that
 * committed. An answer without such a write (an error) is stored after it, as for other routes.
 */
export interface KeyInWrite {
  /** The key's row with the answer the route is about to send with this status. */
  row(status: number, answer: unknown): KeyRow;
  /** The write holding row() committed: the answer is stored. */
  committed(): void;
}

/** The request's key for its route's write; null without an Idempotency-Key. */
export function keyInWrite(req: FastifyRequest, reply: FastifyReply): KeyInWrite | null {
  const claim = req.idempotencyClaim;
  if (!claim?.deferred) return null;
  const { deferred } = claim;
  return {
    row: (status, answer) => {
      reply.code(status);
      return {
        ...deferred,
        status_code: status,
        response_body: storedBody(reply.serialize(answer), req.routeOptions.config.secretFields),
        completed_at: new Date(),
      };
    },
    committed: () => {
      claim.stored = true;
    },
  };
}

/** The error for a key that another server process stored while this request ran (isKeyTaken). */
export function keyTakenMeanwhile(): AppError {
  return new AppError(
    409,
    'idempotency_in_progress',
    'a concurrent request with this Idempotency-Key was answered first; repeat to get its answer',
    'Idempotency-Key',
  );
}

/**
 * Idempotency-Key for writes: the first request with a key claims it; a repeat of a finished
 * request gets the first response back with no second effect; a repeat while the first is
 * running, or with a different body, gets 409 (bodies compare canonically: key order does not
 * matter). 5xx answers release the key so it can be retried. A route's `secretFields` are never
 * stored: a replay answers without them and says so in the `idempotent-secret-omitted` header.
 *
 * A route with `recordsIdempotency` (placing an order) is not claimed in a statement of its own:
 * a repeat is refused while the first runs in this process, and the write that has the effect
 * stores the key with its answer in the same statement (keyInWrite), failing if another process
 * stored the key meanwhile. An answer without an effect (sold out, invalid) is stored after it,
 * many in one statement. So a key costs its group of concurrent requests one shared read, and
 * nothing more where the write statement or the error answer is shared anyway.
 */
export function registerIdempotency(app: FastifyInstance, database: Database, hashKey: Buffer): void {
  app.decorateRequest('idempotencyClaim', null);

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.headers[HEADER];
    if (raw === undefined || !['POST', 'PUT', 'DELETE', 'PATCH'].includes(req.method)) return;
    if (req.routeOptions.config.idempotent === false || !req.principal) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key.length < 1 || key.length > 200)
      throw new AppError(400, 'invalid_request', 'Idempotency-Key must be 1 to 200 characters', 'Idempotency-Key');
    const hash = requestHash(req, hashKey);
    const apiKeyId = req.principal.keyId;
    const id = keyId(apiKeyId, key);
    const claim: Claim = { api_key_id: apiKeyId, key, method: req.method, path: req.url, request_hash: hash };
    if (req.routeOptions.config.recordsIdempotency) {
      const runs = runningOf(database);
      const other = runs.get(id);
      if (other !== undefined) throw other === hash ? inProgress() : reused();
      runs.set(id, hash);
      let prior: StoredKey | undefined;
      try {
        prior = (await lookUpKeys(database, [id])).get(id);
      } catch (err) {
        runs.delete(id);
        throw err;
      }
      if (prior) {
        runs.delete(id);
        return replay(req, reply, prior, hash);
      }
      req.idempotencyClaim = { apiKeyId, key, deferred: claim, stored: false };
      return;
    }
    if ((await claimKeys(database, [claim])).has(id)) {
      req.idempotencyClaim = { apiKeyId, key, deferred: null, stored: false };
      return;
    }
    const prior = (await lookUpKeys(database, [id])).get(id);
    if (!prior)
      throw new AppError(
        409,
        'idempotency_conflict',
        'the request with this Idempotency-Key was just released; retry',
        'Idempotency-Key',
      );
    return replay(req, reply, prior, hash);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotencyClaim;
    if (!claim) return payload;
    req.idempotencyClaim = null;
    const id = keyId(claim.apiKeyId, claim.key);
    try {
      if (claim.stored) return payload;
      const answer = {
        api_key_id: claim.apiKeyId,
        key: claim.key,
        status_code: reply.statusCode,
        response_body: storedBody(payload, req.routeOptions.config.secretFields),
      };
      if (claim.deferred) {
        // Not claimed: a 5xx leaves nothing to release; the write it failed in stored nothing, or
        // (when it may have committed) stored the key with its effect.
        if (reply.statusCode < 500)
          await recordKeys(database, [{ ...claim.deferred, ...answer, completed_at: new Date() }]);
      } else if (reply.statusCode >= 500) await releaseKey(database, claim);
      else await completeKeys(database, [answer]);
    } finally {
      if (claim.deferred) runningOf(database).delete(id);
    }
    return payload;
  });
}

/** A repeat: the first answer when it finished with the same request, else 409. */
function replay(req: FastifyRequest, reply: FastifyReply, prior: StoredKey, hash: string): FastifyReply {
  if (prior.request_hash !== hash) throw reused();
  if (prior.status_code === null) throw inProgress();
  reply.header('idempotent-replayed', 'true');
  const secretFields = req.routeOptions.config.secretFields;
  if (secretFields?.length && prior.status_code < 300) reply.header(SECRET_OMITTED_HEADER, secretFields.join(','));
  return reply
    .code(prior.status_code)
    .type('application/json')
    .send(prior.response_body ?? '');
}

/** How long a finished request's answer is kept for replays (retries come within minutes; a day is generous). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;
const PURGE_EVERY_MS = 10 * 60_000;
const lastPurge = new WeakMap<Database, number>();

/** Deletes keys older than the retention, in batches; returns how many. */
export async function purgeIdempotencyKeys(database: Database, now = new Date(), batch = 5000): Promise<number> {
  const before = new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS);
  let total = 0;
  for (;;) {
    const r =
      await sql`DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE created_at < ${before} LIMIT ${batch})`.execute(
        database.db,
      );
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < batch) return total;
  }
}

/** The periodic task (at most every 10 minutes per process). */
export async function purgeIdempotencyKeysTask(database: Database): Promise<void> {
  if (Date.now() - (lastPurge.get(database) ?? 0) < PURGE_EVERY_MS) return;
  lastPurge.set(database, Date.now());
  await purgeIdempotencyKeys(database);
}
