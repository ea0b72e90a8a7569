import type { KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import { migrate } from '../db/migrate';
import { MasterKeyError, masterKeyFingerprint, open, seal, wrapKeyOf } from './keys';
import { readKeyState, recordMasterKey, tryOpen, type MasterKey, type WrappedKeyColumn } from './master-key';

export interface RotationResult {
  /** The database already had the new key (a finished rotation run again). */
  already: boolean;
  /** Keys re-wrapped per column, e.g. { 'customers.data_key': 120 }. */
  rewrapped: Record<string, number>;
}

/**
 * Re-wraps every data key, then the data root, from the current master key to a new one; the
 * fingerprint changes last. Blind indexes and keyed hashes derive from the root, which keeps its
 * value, so nothing else changes. Batches commit one by one, so it is safe to interrupt: the
 * database is marked (rotating_to) and nothing else starts until the same command, run again,
 * finishes. A key that opens under the new key, not the current one, was re-wrapped by an earlier
 * run and is left as it is (AES-GCM authenticates, so the test is exact).
 */
export async function rotateMasterKey(
  database: Database,
  current: MasterKey,
  next: Buffer,
  wrapped: readonly WrappedKeyColumn[],
  batchSize = 1000,
): Promise<RotationResult> {
  const nextFingerprint = masterKeyFingerprint(next);
  const before = await readKeyState(database.db);
  if (before?.fingerprint === nextFingerprint && !before.rotating_to) return { already: true, rewrapped: {} };
  if (nextFingerprint === current.fingerprint) throw new MasterKeyError('the new master key is the current one');
  if (before?.rotating_to && before.rotating_to !== nextFingerprint) {
    throw new MasterKeyError('an unfinished rotation to another new key is recorded: run it again with that key first');
  }
  if (before?.fingerprint && before.fingerprint !== current.fingerprint) {
    throw new MasterKeyError(
      `${current.source} is not this database's master key: set SANTONG_MASTER_KEY to the current key`,
    );
  }
  await migrate(database);
  const state = await recordMasterKey(database, current, wrapped);
  if (state.fingerprint !== current.fingerprint)
    throw new MasterKeyError(`${current.source} is not this database's master key`);
  // Marked first, so nothing starts from here on; then nothing may be running.
  await database.db.updateTable('master_key').set({ rotating_to: nextFingerprint }).execute();
  try {
    await assertNoOtherSessions(database);
  } catch (e) {
    if (!state.rotating_to) await database.db.updateTable('master_key').set({ rotating_to: null }).execute();
    throw e;
  }

  const from = wrapKeyOf(current.key);
  const to = wrapKeyOf(next);
  const rewrapped: Record<string, number> = {};
  for (const c of wrapped) rewrapped[`${c.table}.${c.column}`] = await rewrapColumn(database, c, from, to, batchSize);

  await database.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('master_key').select('wrapped_root').forUpdate().executeTakeFirstOrThrow();
    const root = open(from, row.wrapped_root!);
    await tx
      .updateTable('master_key')
      .set({ fingerprint: nextFingerprint, wrapped_root: seal(to, root), rotating_to: null, rotated_at: new Date() })
      .execute();
  });
  return { already: false, rewrapped };
}

async function rewrapColumn(
  database: Database,
  c: WrappedKeyColumn,
  from: KeyObject,
  to: KeyObject,
  batchSize: number,
): Promise<number> {
  const [table, id, column] = [sql.table(c.table), sql.ref(c.id), sql.ref(c.column)];
  let after = '';
  let count = 0;
  for (;;) {
    const rows = await database.db.transaction().execute(async (tx) => {
      const r = await sql<{ id: string; k: Buffer }>`
        SELECT ${id} AS id, ${column} AS k FROM ${table}
        WHERE ${column} IS NOT NULL AND ${id} > ${after} ORDER BY ${id} LIMIT ${batchSize} FOR UPDATE`.execute(tx);
      const changed = [];
      for (const row of r.rows) {
        // Most keys are under the current key (a failed open throws: the slow path is the rare one).
        const plain = tryOpen(from, row.k);
        if (!plain) {
          if (tryOpen(to, row.k)) continue;
          throw new MasterKeyError(
            `${c.table}.${c.column} of ${row.id} opens under neither the current nor the new master key`,
          );
        }
        changed.push(sql`(${row.id}::text, ${seal(to, plain)}::bytea)`);
      }
      if (changed.length) {
        const values = sql.join(changed);
        await sql`UPDATE ${table} SET ${column} = v.k FROM (VALUES ${values}) AS v(id, k) WHERE ${table}.${id} = v.id`.execute(
          tx,
        );
      }
      count += changed.length;
      return r.rows;
    });
    if (rows.length < batchSize) return count;
    after = rows[rows.length - 1].id;
  }
}

/**
 * A server still running with the old key would wrap new data keys under it after they were all
 * re-wrapped: on PostgreSQL, refuse while other sessions are connected to the database (the
 * caller holds one connection). An embedded database is one process's anyway.
 */
async function assertNoOtherSessions(database: Database): Promise<void> {
  if (database.kind !== 'postgres') return;
  let others = 0;
  // Sessions that just disconnected linger for a moment.
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`.execute(
      database.db,
    );
    others = r.rows[0].n;
    if (others === 0) return;
    await sleep(300);
  }
  throw new MasterKeyError(
    `${others} other sessions are connected to this database: stop every server and command using it, then rotate`,
  );
}
