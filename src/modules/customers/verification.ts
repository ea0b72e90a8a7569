import './tables';
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Principal } from '../../platform/auth/roles';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { transact } from '../../platform/db/transaction';
import { AppError, unprocessable } from '../../platform/http/errors';
import { newId } from '../../platform/ids';
import type { MessageChannel } from '../messaging/public';
import { InvalidIdentifier, normalise } from './identifiers';

/** How an identifier was verified; null on rows written before this was recorded. */
export const VERIFIED_BY = ['otp', 'wechat_login', 'member_card_scan', 'self_asserted'] as const;
export type VerifiedBy = (typeof VERIFIED_BY)[number];

export const VERIFIABLE_TYPES = ['phone', 'email'] as const;
type VerifiableType = (typeof VERIFIABLE_TYPES)[number];

const TTL_MS = 10 * 60 * 1000;
const MAX_ATTEMPTS = 5;
/** Codes one phone or e-mail may be sent per hour (SMS costs money and annoys the owner). */
const CODES_PER_HOUR = 5;

export interface VerificationRef {
  id: string;
  code: string;
}

const codeHash = (keys: KeyRing, id: string, code: string) => keys.blindIndex('verification_code', `${id}:${code}`);

/**
 * POST /v1/verifications: sends a 6-digit code to a phone or e-mail through the message channel
 * and remembers only its keyed hash. 503 messaging_unavailable when no channel is configured or the
 * gateway refuses; 429 after CODES_PER_HOUR codes for one value.
 */
export async function startVerification(
  database: Database,
  keys: KeyRing,
  channel: MessageChannel | null,
  input: { type: VerifiableType; value: string },
  principal: Principal,
): Promise<{ id: string; expires_at: string }> {
  let value: string;
  try {
    value = normalise(input.type, input.value);
  } catch (e) {
    throw unprocessable('invalid_identifier', e instanceof InvalidIdentifier ? e.message : 'invalid value', 'value');
  }
  if (!channel)
    throw new AppError(503, 'messaging_unavailable', 'no message gateway is configured (SANTONG_SMS_WEBHOOK_URL)');
  const valueHash = keys.blindIndex(input.type, value);
  const id = newId('ver');
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(Date.now() + TTL_MS);
  await transact(database, async (tx) => {
    // Serialise the codes of one value so concurrent requests cannot both pass the limit.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`verify:${input.type}:${valueHash}`}, 0))`.execute(tx);
    const recent = await tx
      .selectFrom('identity_verifications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', input.type)
      .where('value_hash', '=', valueHash)
      .where('created_at', '>', sql<Date>`now() - interval '1 hour'`)
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= CODES_PER_HOUR) {
      throw new AppError(
        429,
        'too_many_verifications',
        `at most ${CODES_PER_HOUR} codes per hour for one ${input.type}`,
        'value',
      );
    }
    await tx
      .insertInto('identity_verifications')
      .values({
        id,
        type: input.type,
        value_hash: valueHash,
        code_hash: codeHash(keys, id, code),
        key_id: principal.keyId,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
  });
  try {
    await channel.send(
      { type: input.type, value },
      `【三通】验证码 ${code}，10 分钟内有效。Your verification code is ${code} (valid 10 minutes).`,
    );
  } catch {
    await database.db.updateTable('identity_verifications').set({ used_at: new Date() }).where('id', '=', id).execute();
    throw new AppError(503, 'messaging_unavailable', 'the message gateway did not accept the message; try again later');
  }
  return { id, expires_at: expiresAt.toISOString() };
}

/**
 * Checks the codes a request brings for its identifiers (`type:hash` keys) and uses them up: each
 * attempt counts, a right code is good once. Returns the keys proven. Errors name the field:
 * `verification.code` for a wrong code or too many attempts, `verification.id` for an unknown,
 * expired, used or other identifier's verification (`verification[1].id` when several are given).
 */
export async function useVerifications(
  database: Database,
  keys: KeyRing,
  refs: VerificationRef[],
  field: (k: number) => string,
  identKeys: string[],
  principal: Principal | null,
): Promise<Set<string>> {
  const proven = new Set<string>();
  for (const [k, ref] of refs.entries()) {
    const f = field(k);
    const used = await sql<{ key: string; ok: boolean; attempts: number }>`
      UPDATE identity_verifications SET attempts = attempts + 1, used_at = CASE WHEN code_hash = ${codeHash(keys, ref.id, ref.code)} THEN now() END
      WHERE id = ${ref.id} AND used_at IS NULL AND expires_at > now() AND attempts < ${MAX_ATTEMPTS}
        AND key_id IS NOT DISTINCT FROM ${principal?.keyId ?? null} AND type || ':' || value_hash = ANY(${identKeys}::text[])
      RETURNING type || ':' || value_hash AS key, used_at IS NOT NULL AS ok, attempts`.execute(database.db);
    const row = used.rows[0];
    if (row?.ok) {
      proven.add(row.key);
      continue;
    }
    if (row) {
      const left = MAX_ATTEMPTS - row.attempts;
      throw unprocessable(
        'wrong_code',
        left > 0 ? `wrong code, ${left} attempts left` : 'wrong code; no attempts left, ask for a new code',
        `${f}.code`,
        { attempts_left: left },
      );
    }
    throw await whyUnusable(database, ref.id, f, identKeys, principal);
  }
  return proven;
}

/** Why a verification could not be tried (only when it could not: the common path is one statement). */
async function whyUnusable(
  database: Database,
  id: string,
  f: string,
  identKeys: string[],
  principal: Principal | null,
): Promise<AppError> {
  const v = await database.db
    .selectFrom('identity_verifications')
    .select(['type', 'value_hash', 'key_id', 'attempts', 'expires_at', 'used_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!v || v.key_id !== (principal?.keyId ?? null))
    return unprocessable('unknown_verification', 'no such verification for this API key', `${f}.id`);
  if (v.used_at)
    return unprocessable('verification_used', 'this verification was already used; ask for a new code', `${f}.id`);
  if (v.expires_at.getTime() <= Date.now())
    return unprocessable('verification_expired', 'this code has expired; ask for a new one', `${f}.id`);
  if (v.attempts >= MAX_ATTEMPTS)
    return unprocessable('too_many_attempts', 'too many wrong codes; ask for a new code', `${f}.code`);
  if (!identKeys.includes(`${v.type}:${v.value_hash}`))
    return unprocessable(
      'verification_mismatch',
      `this verification is for a ${v.type} the request does not bring`,
      `${f}.id`,
    );
  return unprocessable('unknown_verification', 'this verification cannot be used', `${f}.id`);
}

const PURGE_EVERY_MS = 3600 * 1000;
const lastPurge = new WeakMap<Database, number>();

/** Dispatcher task, at most hourly: forgets codes a day old (their blind indexes are personal data). */
export async function purgeVerificationsTask(database: Database): Promise<void> {
  if (Date.now() - (lastPurge.get(database) ?? 0) < PURGE_EVERY_MS) return;
  lastPurge.set(database, Date.now());
  await database.db
    .deleteFrom('identity_verifications')
    .where('created_at', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
}
