import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import { newId } from '../ids';
import { hashKey } from './keys';
import type { Principal, Role } from './roles';
import { defaultScopes } from './scopes';

/** Staff accounts: the roles a person may hold (integration keys are for systems, not people). */
export const USER_ROLES = ['admin', 'marketer', 'store_staff', 'support', 'analyst'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const MIN_PASSWORD_LENGTH = 10;
/** Failures within LOCK_WINDOW_MS that lock the account for LOCK_MS. */
export const MAX_FAILURES = 5;
export const LOCK_WINDOW_MS = 15 * 60 * 1000;
export const LOCK_MS = 15 * 60 * 1000;

export const SESSION_COOKIE = 'santong_session';
/** The header the console sends with every write made with the session cookie (CSRF). */
export const CSRF_HEADER = 'x-santong-console';

// scrypt: memory-hard (128 * N * r bytes = 32 MiB per hash), a random salt per password.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLen: 32 };
const MAXMEM = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, N: number, r: number, p: number, keyLen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password.normalize('NFC'), salt, keyLen, { N, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Timing-safe check of a password against a stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p), expected.length);
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

/** A hash no password matches, checked for unknown usernames so they take as long as known ones. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomBytes(18).toString('base64url'));
  return dummyHash;
}

/** A password for `santong users create` without --password-stdin and the dev-mode admin. */
export function generatePassword(): string {
  return crypto.randomBytes(12).toString('base64url');
}

export const usernameKey = (username: string) => username.normalize('NFC').toLowerCase();

export interface UserView {
  id: string;
  username: string;
  display_name: string;
  role: UserRole;
  location_id: string | null;
  disabled: boolean;
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
}

type UserRow = {
  id: string;
  username: string;
  display_name: string;
  role: string;
  location_id: string | null;
  disabled_at: Date | null;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
};

export function toUserView(r: UserRow, now = new Date()): UserView {
  return {
    id: r.id,
    username: r.username,
    display_name: r.display_name,
    role: r.role as UserRole,
    location_id: r.location_id,
    disabled: r.disabled_at !== null,
    locked_until: r.locked_until && r.locked_until > now ? r.locked_until.toISOString() : null,
    last_login_at: r.last_login_at ? r.last_login_at.toISOString() : null,
    created_at: r.created_at.toISOString(),
  };
}

const VIEW_COLUMNS = [
  'id',
  'username',
  'display_name',
  'role',
  'location_id',
  'disabled_at',
  'locked_until',
  'last_login_at',
  'created_at',
] as const;

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
  locationId?: string | null;
  displayName: string;
}

/** Creates an account; null when the username is taken (case-insensitively). */
export async function createUser(db: Queryable, u: NewUser): Promise<UserView | null> {
  const passwordHash = await hashPassword(u.password);
  const row = await db
    .insertInto('users')
    .values({
      id: newId('usr'),
      username: u.username,
      username_key: usernameKey(u.username),
      display_name: u.displayName,
      role: u.role,
      location_id: u.locationId ?? null,
      password_hash: passwordHash,
      disabled_at: null,
      first_failed_at: null,
      locked_until: null,
      last_login_at: null,
    })
    .onConflict((oc) => oc.column('username_key').doNothing())
    .returning(VIEW_COLUMNS)
    .executeTakeFirst();
  return row ? toUserView(row) : null;
}

export async function listUsers(db: Queryable): Promise<UserView[]> {
  const rows = await db.selectFrom('users').select(VIEW_COLUMNS).orderBy('created_at', 'desc').orderBy('id').execute();
  const now = new Date();
  return rows.map((r) => toUserView(r, now));
}

export async function getUser(db: Queryable, id: string): Promise<UserView | null> {
  const row = await db.selectFrom('users').select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toUserView(row) : null;
}

export interface UserChange {
  displayName?: string;
  role?: UserRole;
  locationId?: string | null;
  disabled?: boolean;
  password?: string;
}

/** Applies a change; disabling the account or setting a new password revokes its sessions. */
export async function updateUser(
  db: Queryable,
  id: string,
  c: UserChange,
): Promise<{ user: UserView; revoked: number } | null> {
  const current = await db
    .selectFrom('users')
    .select(['id', 'role', 'location_id', 'disabled_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return null;
  const now = new Date();
  const set: Record<string, unknown> = {};
  if (c.displayName !== undefined) set.display_name = c.displayName;
  if (c.role !== undefined) set.role = c.role;
  if (c.locationId !== undefined) set.location_id = c.locationId;
  if (c.disabled === true && current.disabled_at === null) set.disabled_at = now;
  if (c.disabled === false) set.disabled_at = null;
  if (c.password !== undefined) {
    set.password_hash = await hashPassword(c.password);
    set.password_changed_at = now;
    // a reset by an admin also unlocks the account
    set.failed_logins = 0;
    set.first_failed_at = null;
    set.locked_until = null;
  }
  const row =
    Object.keys(set).length === 0
      ? await db.selectFrom('users').select(VIEW_COLUMNS).where('id', '=', id).executeTakeFirstOrThrow()
      : await db.updateTable('users').set(set).where('id', '=', id).returning(VIEW_COLUMNS).executeTakeFirstOrThrow();
  let revoked = 0;
  if (c.disabled === true || c.password !== undefined) revoked = await revokeSessionsOf(db, id);
  return { user: toUserView(row, now), revoked };
}

export async function revokeSessionsOf(db: Queryable, userId: string): Promise<number> {
  const r = await db
    .updateTable('user_sessions')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export type LoginOutcome =
  | { kind: 'ok'; user: UserView; token: string; expiresAt: Date }
  | { kind: 'failed'; userId: string | null; reason: 'unknown_user' | 'bad_password' | 'disabled'; lockedNow: boolean }
  | { kind: 'locked'; userId: string; retryAfterSeconds: number };

/**
 * Checks a username and password. Every outcome says which account it concerns (never the
 * username) so the caller can audit it. An account locked by repeated failures is refused without
 * looking at the password; the failure that reaches MAX_FAILURES within LOCK_WINDOW_MS locks it.
 */
export async function login(
  db: Queryable,
  username: string,
  password: string,
  ttlSeconds: number,
  now = new Date(),
): Promise<LoginOutcome> {
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('username_key', '=', usernameKey(username))
    .executeTakeFirst();
  if (!user) {
    await verifyPassword(password, await dummyPasswordHash());
    return { kind: 'failed', userId: null, reason: 'unknown_user', lockedNow: false };
  }
  if (user.locked_until && user.locked_until > now)
    return {
      kind: 'locked',
      userId: user.id,
      retryAfterSeconds: Math.max(1, Math.ceil((user.locked_until.getTime() - now.getTime()) / 1000)),
    };
  const good = await verifyPassword(password, user.password_hash);
  if (!good || user.disabled_at) {
    if (!good) {
      // One statement, so concurrent failures all count: a window older than LOCK_WINDOW_MS starts again.
      const windowStart = new Date(now.getTime() - LOCK_WINDOW_MS);
      const lockUntil = new Date(now.getTime() + LOCK_MS);
      const r = await sql<{ locked_until: Date | null }>`
        UPDATE users SET
          failed_logins = CASE WHEN first_failed_at IS NULL OR first_failed_at < ${windowStart} THEN 1 ELSE failed_logins + 1 END,
          first_failed_at = CASE WHEN first_failed_at IS NULL OR first_failed_at < ${windowStart} THEN ${now} ELSE first_failed_at END
        WHERE id = ${user.id}
        RETURNING failed_logins, first_failed_at`.execute(db);
      const failures = Number((r.rows[0] as unknown as { failed_logins: number } | undefined)?.failed_logins ?? 0);
      if (failures >= MAX_FAILURES) {
        await db
          .updateTable('users')
          .set({ locked_until: lockUntil, failed_logins: 0, first_failed_at: null })
          .where('id', '=', user.id)
          .execute();
        return { kind: 'failed', userId: user.id, reason: 'bad_password', lockedNow: true };
      }
      return { kind: 'failed', userId: user.id, reason: 'bad_password', lockedNow: false };
    }
    return { kind: 'failed', userId: user.id, reason: 'disabled', lockedNow: false };
  }
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await db
    .insertInto('user_sessions')
    .values({ token_hash: hashKey(token), user_id: user.id, expires_at: expiresAt, revoked_at: null })
    .execute();
  const row = await db
    .updateTable('users')
    .set({ last_login_at: now, failed_logins: 0, first_failed_at: null, locked_until: null })
    .where('id', '=', user.id)
    .returning(VIEW_COLUMNS)
    .executeTakeFirstOrThrow();
  return { kind: 'ok', user: toUserView(row, now), token, expiresAt };
}

/** Revokes one session by its token; the user it belonged to, or null. */
export async function logout(db: Queryable, token: string): Promise<string | null> {
  const r = await db
    .updateTable('user_sessions')
    .set({ revoked_at: new Date() })
    .where('token_hash', '=', hashKey(token))
    .where('revoked_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst();
  return r?.user_id ?? null;
}

export type SessionPrincipal = Principal & { userId: string; sessionExpiresAt: Date };

/** The user a live session token signs in: their role and store, as a key's would be. */
export async function authenticateSession(db: Queryable, token: string): Promise<SessionPrincipal | null> {
  const row = await db
    .selectFrom('user_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.display_name', 'u.role', 'u.location_id', 's.expires_at'])
    .where('s.token_hash', '=', hashKey(token))
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', new Date())
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const role = row.role as Role;
  return {
    keyId: row.id,
    name: row.display_name,
    role,
    locationId: row.location_id,
    channel: null,
    scopes: defaultScopes(role, null),
    userId: row.id,
    sessionExpiresAt: row.expires_at,
  };
}

/** The session token in a Cookie header, if any. */
export function sessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) {
      const v = part.slice(i + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : null;
    }
  }
  return null;
}

export function setCookieHeader(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

export function clearCookieHeader(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
