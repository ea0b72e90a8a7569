import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config';
import type { Database, Queryable } from '../db/database';
import { migrate } from '../db/migrate';
import type { MasterKeyTable } from '../db/schema';
import { KeyRing, MasterKeyError, masterKeyFingerprint, open, parseMasterKey, seal, wrapKeyOf } from './keys';

/** A column of wrapped data keys (text primary key `id`), e.g. customers.data_key. */
export interface WrappedKeyColumn {
  table: string;
  id: string;
  column: string;
}

type KeyConfig = Pick<
  Config,
  'masterKey' | 'masterKeyFile' | 'masterKeyFileSet' | 'legacyMasterKeyFile' | 'databaseUrl' | 'dev'
>;

export interface MasterKey {
  key: Buffer;
  fingerprint: string;
  /** Where it came from, for messages: SANTONG_MASTER_KEY or a key file. */
  source: string;
  /** The key file it was read from or written to (null: SANTONG_MASTER_KEY). */
  file: string | null;
}

export type KeyState = Omit<MasterKeyTable, 'singleton'>;

/**
 * The master key: SANTONG_MASTER_KEY, else the key file (SANTONG_MASTER_KEY_FILE, default
 * <data dir>/master.key; a key file left beside the data dir by earlier versions is copied in).
 * A new key file is generated only for a database without a recorded key, and never in production
 * on PostgreSQL, where several processes must share one key: there it has to be given.
 */
export function resolveMasterKey(config: KeyConfig, recorded: string | null): MasterKey {
  if (config.masterKey) return withFingerprint(parseMasterKey(config.masterKey), 'SANTONG_MASTER_KEY', null);
  const file = config.masterKeyFile;
  const production = requireGivenKey(config);
  const source = `the key file ${file} (SANTONG_MASTER_KEY is not set)`;
  if (fs.existsSync(file))
    return withFingerprint(parseMasterKey(fs.readFileSync(file, 'utf8'), `key file ${file}`), source, file);
  if (production) {
    throw new MasterKeyError(
      `SANTONG_MASTER_KEY_FILE ${file} does not exist: set SANTONG_MASTER_KEY or fix SANTONG_MASTER_KEY_FILE`,
    );
  }
  const legacy = config.legacyMasterKeyFile;
  if (!config.masterKeyFileSet && fs.existsSync(legacy)) {
    const key = parseMasterKey(fs.readFileSync(legacy, 'utf8'), `key file ${legacy}`);
    const found = withFingerprint(key, `the key file ${legacy} (SANTONG_MASTER_KEY is not set)`, legacy);
    // Copied in only when it is this database's key (the caller refuses another); left in place,
    // as another data dir under the same folder may use it too.
    if (recorded && recorded !== found.fingerprint) return found;
    return withFingerprint(
      writeKeyFile(file, key),
      `the key file ${file} (copied from ${legacy}; SANTONG_MASTER_KEY is not set)`,
      file,
    );
  }
  if (recorded) {
    throw new MasterKeyError(
      `this database has a master key and no key file is at ${file}: set SANTONG_MASTER_KEY to the key this database was set up with`,
    );
  }
  return withFingerprint(writeKeyFile(file, crypto.randomBytes(32)), `the new key file ${file}`, file);
}

/** In production on PostgreSQL the key must be given; true there. Checked before connecting. */
function requireGivenKey(config: KeyConfig): boolean {
  const production = !config.dev && config.databaseUrl !== null;
  if (production && !config.masterKey && !config.masterKeyFileSet) {
    throw new MasterKeyError(
      'set SANTONG_MASTER_KEY: in production on PostgreSQL (NODE_ENV=production, DATABASE_URL) no master key file is generated',
    );
  }
  return production;
}

function withFingerprint(key: Buffer, source: string, file: string | null): MasterKey {
  return { key, fingerprint: masterKeyFingerprint(key), source, file };
}

/** Writes a new key file (0600); if another process wrote one first, that key wins. */
function writeKeyFile(file: string, key: Buffer): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return parseMasterKey(fs.readFileSync(file, 'utf8'), `key file ${file}`);
  }
}

/** Replaces a key file's key (after a rotation), atomically. */
export function replaceKeyFile(file: string, key: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, key.toString('hex') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The database's key record; null before migration 1670 ran. */
export async function readKeyState(db: Queryable): Promise<KeyState | null> {
  const table = await sql<{ t: string | null }>`SELECT to_regclass('master_key')::text AS t`.execute(db);
  if (!table.rows[0]?.t) return null;
  const row = await db
    .selectFrom('master_key')
    .select(['fingerprint', 'wrapped_root', 'rotating_to', 'legacy', 'recorded_at', 'rotated_at'])
    .executeTakeFirst();
  return row ?? null;
}

/** Refuses a key that is not the database's, or any key while a rotation is unfinished. */
function assertDatabaseKey(state: KeyState, master: MasterKey): void {
  if (state.rotating_to) {
    throw new MasterKeyError(
      'a master key rotation is unfinished: run `santong keys rotate-master` again with the same keys, then use the new SANTONG_MASTER_KEY',
    );
  }
  if (state.fingerprint && state.fingerprint !== master.fingerprint) {
    throw new MasterKeyError(
      `${master.source} is not this database's master key ` +
        `(fingerprint ${master.fingerprint.slice(0, 12)}, the database's is ${state.fingerprint.slice(0, 12)}): ` +
        'set SANTONG_MASTER_KEY to the key this database was set up with. Nothing was written with the wrong key.',
    );
  }
}

/**
 * Before a server or command touches data: checks the master key against the one recorded in the
 * database (before migrating when the record exists), migrates, records the key on first use and
 * returns the key ring. Throws MasterKeyError, having written no data, when the key is not the database's.
 */
export async function unlockDatabase(
  database: Database,
  config: KeyConfig,
  wrapped: readonly WrappedKeyColumn[],
): Promise<KeyRing> {
  requireGivenKey(config);
  const before = await readKeyState(database.db);
  const master = resolveMasterKey(config, before?.fingerprint ?? null);
  if (before) assertDatabaseKey(before, master);
  await migrate(database);
  const state = await recordMasterKey(database, master, wrapped);
  assertDatabaseKey(state, master);
  return new KeyRing(master.key, open(wrapKeyOf(master.key), state.wrapped_root!));
}

/**
 * Records the key if none is yet: its fingerprint and a data root wrapped by it (a random root; in
 * a database that predates the record, the key itself, which is what its hashes were made with).
 * Concurrent starters serialise on the row; the first one's key and root win.
 */
export async function recordMasterKey(
  database: Database,
  master: MasterKey,
  wrapped: readonly WrappedKeyColumn[],
): Promise<KeyState> {
  return database.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('master_key').selectAll().forUpdate().executeTakeFirstOrThrow();
    if (row.fingerprint !== null) return row;
    await assertOpensStoredKeys(tx, master, wrapped);
    const root = row.legacy ? master.key : crypto.randomBytes(32);
    return tx
      .updateTable('master_key')
      .set({
        fingerprint: master.fingerprint,
        wrapped_root: seal(wrapKeyOf(master.key), root),
        recorded_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** An existing database's first record: a data key it already holds must open under this key. */
async function assertOpensStoredKeys(
  tx: Queryable,
  master: MasterKey,
  wrapped: readonly WrappedKeyColumn[],
): Promise<void> {
  const wrapKey = wrapKeyOf(master.key);
  for (const c of wrapped) {
    const column = sql.ref(c.column);
    const r = await sql<{
      k: Buffer;
    }>`SELECT ${column} AS k FROM ${sql.table(c.table)} WHERE ${column} IS NOT NULL LIMIT 1`.execute(tx);
    if (r.rows.length && !tryOpen(wrapKey, r.rows[0].k)) {
      throw new MasterKeyError(
        `${master.source} is not the master key this database's data is encrypted with: set SANTONG_MASTER_KEY to that key`,
      );
    }
  }
}

/** The plaintext, or null when the sealed value was not sealed under this key. */
export function tryOpen(key: crypto.KeyObject, sealed: Buffer): Buffer | null {
  try {
    return open(key, sealed);
  } catch {
    return null;
  }
}
