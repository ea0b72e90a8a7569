/**
 * The statements of Idempotency-Keys (table idempotency_keys, migration 0100). Concurrent requests
 * share them: each is one statement for every request that arrives while the previous one runs
 * (platform/db/coalesce.ts), sent as a prepared statement on PostgreSQL.
 */
import { coalescingPerHandle } from '../db/coalesce';
import type { Database } from '../db/database';
import { insertFromJson } from '../db/json-rows';
import { StatementParams } from '../db/statement';

/** `apiKeyId\0key`: one API key's Idempotency-Key. */
export const keyId = (apiKeyId: string, key: string): string => `${apiKeyId}\u0000${key}`;

export interface Claim {
  api_key_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
}

/** A key with the answer its request got. */
export interface KeyRow extends Claim {
  status_code: number;
  response_body: string;
  completed_at: Date;
}

export interface StoredKey {
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
}

/** Claims keys before their requests run; the set holds the keyId of those this call inserted (a key twice in one batch is claimed once). */
export const claimKeys = coalescingPerHandle(async (database: Database, claims: Claim[]): Promise<Set<string>> => {
  const params = new StatementParams();
  const rows = await params.runPrepared<{ api_key_id: string; key: string }>(
    database,
    `${insertFromJson(params, 'idempotency_keys', claims)} ON CONFLICT DO NOTHING RETURNING api_key_id, key`,
  );
  return new Set(rows.map((x) => keyId(x.api_key_id, x.key)));
});

/** Stores the answers of claimed requests that finished. */
export const completeKeys = coalescingPerHandle(
  async (
    database: Database,
    done: Omit<KeyRow, 'method' | 'path' | 'request_hash' | 'completed_at'>[],
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
 * Stores keys with their answers in one go (requests that were not claimed before they ran: their
 * answer had no effect); the set holds the keyId of those stored. A key stored first (by an earlier
 * request, or meanwhile by another server process) keeps its first answer.
 */
export const recordKeys = coalescingPerHandle(async (database: Database, done: KeyRow[]): Promise<Set<string>> => {
  const params = new StatementParams();
  const rows = await params.runPrepared<{ api_key_id: string; key: string }>(
    database,
    `${insertFromJson(params, 'idempotency_keys', done)} ON CONFLICT DO NOTHING RETURNING api_key_id, key`,
  );
  return new Set(rows.map((x) => keyId(x.api_key_id, x.key)));
});

/** The stored keys among these keyIds. One index probe per key (a lateral join: the plan cannot turn into a scan). */
export const lookUpKeys = coalescingPerHandle(
  async (database: Database, ids: string[]): Promise<Map<string, StoredKey>> => {
    const params = new StatementParams();
    const pairs = ids.map((id) => id.split('\u0000'));
    const rows = await params.runPrepared<StoredKey & { api_key_id: string; key: string }>(
      database,
      `SELECT k.api_key_id, k.key, k.request_hash, k.status_code, k.response_body
         FROM unnest(${params.param(pairs.map((p) => p[0]))}::text[], ${params.param(pairs.map((p) => p[1]))}::text[]) AS d(api_key_id, key)
         CROSS JOIN LATERAL (SELECT * FROM idempotency_keys i WHERE i.api_key_id = d.api_key_id AND i.key = d.key) k`,
    );
    return new Map(rows.map((r) => [keyId(r.api_key_id, r.key), r]));
  },
);

/** A 5xx answer releases its key: the request may be retried. */
export async function releaseKey(database: Database, claim: { apiKeyId: string; key: string }): Promise<void> {
  await database.db
    .deleteFrom('idempotency_keys')
    .where('api_key_id', '=', claim.apiKeyId)
    .where('key', '=', claim.key)
    .execute();
}

/**
 * The INSERT of these keys, with their answers, for a data-modifying CTE of a route's own write
 * statement (see KeyInWrite). No ON CONFLICT: a key that another server process stored meanwhile
 * fails the whole statement (isKeyTaken), so its effect is not written twice.
 */
export function keyRowsInsert(params: StatementParams, rows: readonly KeyRow[]): string {
  return insertFromJson(params, 'idempotency_keys', rows);
}

/** The unique violation of a key stored meanwhile (keyRowsInsert). */
export function isKeyTaken(err: unknown): boolean {
  const e = err as { code?: unknown; table?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && (e.table === 'idempotency_keys' || e.constraint === 'idempotency_keys_pkey');
}
