import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import { AppError, errorBody } from '../http/errors';
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
 * A route with `recordsIdempotency` (placing an order) neither claims nor reads its key before it
 * runs: a repeat is refused while the first runs in this process; the write that has the effect
 * stores the key with its answer in the same statement (keyInWrite) and fails if the key is
 * stored already (by an earlier request or another process), so the effect is never written
 * twice; an answer without an effect (sold out, invalid, that failed write) is stored after it,
 * many in one statement, and where the key was stored first, that first answer is sent instead.
 * So a key costs nothing where the order's write is shared anyway, one shared insert for answers
 * without an effect, and a read only for repeats.
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
      // No read before the handler: its write stores the key (and fails if the key is stored),
      // an answer without a write is stored after it; either way a stored key's first answer wins.
      const runs = runningOf(database);
      const other = runs.get(id);
      if (other !== undefined) throw other === hash ? inProgress() : reused();
      runs.set(id, hash);
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
        if (reply.statusCode >= 500) return payload;
        const row = { ...claim.deferred, ...answer, completed_at: new Date() };
        if ((await recordKeys(database, [row])).has(id)) return payload;
        // The key was stored first (an earlier or concurrent request, maybe in another process):
        // its answer is the answer.
        const prior = (await lookUpKeys(database, [id])).get(id);
        return prior
          ? firstAnswer(reply, prior, claim.deferred.request_hash, req.routeOptions.config.secretFields)
          : payload;
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
  markReplayed(reply, prior.status_code, req.routeOptions.config.secretFields);
  return reply
    .code(prior.status_code)
    .type('application/json')
    .send(prior.response_body ?? '');
}

function markReplayed(reply: FastifyReply, status: number, secretFields: readonly string[] | undefined): void {
  reply.header('idempotent-replayed', 'true');
  if (secretFields?.length && status < 300) reply.header(SECRET_OMITTED_HEADER, secretFields.join(','));
}

/** In onSend, a request whose key was stored first: the payload becomes that first answer (or 409). */
function firstAnswer(
  reply: FastifyReply,
  prior: StoredKey,
  hash: string,
  secretFields: readonly string[] | undefined,
): string {
  const refusal = prior.request_hash !== hash ? reused() : prior.status_code === null ? inProgress() : null;
  if (refusal) {
    reply.code(refusal.status);
    return JSON.stringify(errorBody(refusal));
  }
  reply.code(prior.status_code!);
  markReplayed(reply, prior.status_code!, secretFields);
  return prior.response_body ?? '';
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
