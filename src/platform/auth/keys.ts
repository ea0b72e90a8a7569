import crypto from 'node:crypto';
import type { Queryable } from '../db/database';
import { newId } from '../ids';
import type { Channel, Principal, Role } from './roles';
import { defaultScopes, type Scope } from './scopes';

export function hashKey(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

export function generateSecret(): string {
  return 'st_' + crypto.randomBytes(24).toString('base64url');
}

export interface NewKey {
  name: string;
  role: Role;
  locationId?: string | null;
  channel?: Channel | null;
  /** Defaults to the role's (and channel's) scopes. */
  scopes?: readonly Scope[];
  /** A caller-chosen secret (SANTONG_ADMIN_KEY); otherwise one is generated. */
  secret?: string;
}

export interface KeyView {
  id: string;
  name: string;
  role: Role;
  location_id: string | null;
  channel: Channel | null;
  key_prefix: string;
  scopes: string[];
  created_at: string;
  revoked_at: string | null;
}

type KeyRow = {
  id: string;
  name: string;
  role: string;
  location_id: string | null;
  channel: string | null;
  key_prefix: string;
  scopes: string[];
  created_at: Date;
  revoked_at: Date | null;
};

export function toKeyView(r: KeyRow): KeyView {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    location_id: r.location_id,
    channel: r.channel as Channel | null,
    key_prefix: r.key_prefix,
    scopes: r.scopes,
    created_at: r.created_at.toISOString(),
    revoked_at: r.revoked_at ? r.revoked_at.toISOString() : null,
  };
}

/** Creates a key and returns its view plus the secret, which is shown once and stored only hashed. */
export async function createKey(db: Queryable, k: NewKey): Promise<KeyView & { key: string }> {
  const secret = k.secret ?? generateSecret();
  const row = await db
    .insertInto('api_keys')
    .values({
      id: newId('key'),
      name: k.name,
      role: k.role,
      location_id: k.locationId ?? null,
      channel: k.channel ?? null,
      key_hash: hashKey(secret),
      key_prefix: secret.slice(0, 7),
      scopes: [...(k.scopes ?? defaultScopes(k.role, k.channel ?? null))],
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...toKeyView(row), key: secret };
}

/** Creates the key with this exact secret unless a live key already has it. */
export async function ensureKey(db: Queryable, k: NewKey & { secret: string }): Promise<boolean> {
  const existing = await db
    .selectFrom('api_keys')
    .select('id')
    .where('key_hash', '=', hashKey(k.secret))
    .executeTakeFirst();
  if (existing) return false;
  await createKey(db, k);
  return true;
}

export async function listKeys(db: Queryable): Promise<KeyView[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at', 'desc').execute();
  return rows.map(toKeyView);
}

export async function revokeKey(db: Queryable, id: string): Promise<KeyView | null> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row ? toKeyView(row) : null;
}

export async function authenticate(db: Queryable, secret: string): Promise<Principal | null> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'location_id', 'channel', 'scopes'])
    .where('key_hash', '=', hashKey(secret))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    keyId: row.id,
    name: row.name,
    role: row.role as Role,
    locationId: row.location_id,
    channel: row.channel as Channel | null,
    scopes: row.scopes,
  };
}
