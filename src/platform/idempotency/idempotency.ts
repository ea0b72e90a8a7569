import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { coalescingPerHandle } from '../db/coalesce';
import type { Database } from '../db/database';
import { insertFromJson } from '../db/json-rows';
import { StatementParams } from '../db/statement';
import { AppError } from '../http/errors';

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

interface Claim {
  api_key_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
}

/**
 * Claims keys; the set holds `apiKeyId\0key` of those this call inserted. Concurrent requests
 * claim together in one statement (a flash sale of retry-safe clients would otherwise pay two
 * extra round trips per order); a key twice in one batch is claimed once.
 */
const claimKeys = coalescingPerHandle(async (database: Database, claims: Claim[]): Promise<Set<string>> => {
  const params = new StatementParams();
  const rows = await params.runPrepared<{ api_key_id: string; key: string }>(
    database,
    `${insertFromJson(params, 'idempotency_keys', claims)} ON CONFLICT DO NOTHING RETURNING api_key_id, key`,
  );
  return new Set(rows.map((x) => `${x.api_key_id}\u0000${x.key}`));
});

/** Stores the responses of finished requests, those that finish together in one statement. */
const completeKeys = coalescingPerHandle(
  async (
    database: Database,
    done: { api_key_id: string; key: string; status_code: number; response_body: string }[],
  ): Promise<void> => {
    const params = new StatementParams();
    await params.runPrepared(
      database,
      `UPDATE idempotency_keys k SET status_code = d.status_code, response_body = d.response_body, completed_at = now()
     FROM json_to_recordset(${params.param(JSON.stringify(done))}::json) AS d(api_key_id text, key text, status_code integer, response_body text)
     WHERE k.api_key_id = d.api_key_id AND k.key = d.key`,
    );
  },
);

/**
 * Idempotency-Key for writes: the first request with a key claims it; a repeat of a finished
 * request gets the first response back with no second effect; a repeat while the first is
 * running, or with a different body, gets 409 (bodies compare canonically: key order does not
 * matter). 5xx answers release the key so it can be retried. A route's `secretFields` are never
 * stored: a replay answers without them and says so in the `idempotent-secret-omitted` header.
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
    const claimed = (
      await claimKeys(database, [{ api_key_id: apiKeyId, key, method: req.method, path: req.url, request_hash: hash }])
    ).has(`${apiKeyId}\u0000${key}`);
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
    if (!prior)
      throw new AppError(
        409,
        'idempotency_conflict',
        'the request with this Idempotency-Key was just released; retry',
        'Idempotency-Key',
      );
    if (prior.request_hash !== hash) {
      throw new AppError(
        409,
        'idempotency_key_reused',
        'this Idempotency-Key was used with a different request',
        'Idempotency-Key',
      );
    }
    if (prior.status_code === null) {
      throw new AppError(
        409,
        'idempotency_in_progress',
        'a request with this Idempotency-Key is still being processed',
        'Idempotency-Key',
      );
    }
    reply.header('idempotent-replayed', 'true');
    const secretFields = req.routeOptions.config.secretFields;
    if (secretFields?.length && prior.status_code < 300) reply.header(SECRET_OMITTED_HEADER, secretFields.join(','));
    reply
      .code(prior.status_code)
      .type('application/json')
      .send(prior.response_body ?? '');
    return reply;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotencyClaim;
    if (!claim) return payload;
    req.idempotencyClaim = null;
    if (reply.statusCode >= 500) {
      await database.db
        .deleteFrom('idempotency_keys')
        .where('api_key_id', '=', claim.apiKeyId)
        .where('key', '=', claim.key)
        .execute();
    } else {
      await completeKeys(database, [
        {
          api_key_id: claim.apiKeyId,
          key: claim.key,
          status_code: reply.statusCode,
          response_body: storedBody(payload, req.routeOptions.config.secretFields),
        },
      ]);
    }
    return payload;
  });
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
