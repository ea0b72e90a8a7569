import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from './schema';

export type DbKind = 'pglite' | 'postgres';
export type Tx = Transaction<DB>;
export type Queryable = Kysely<DB> | Tx;

/**
 * One handle to the system of record. On PGlite it is a one-connection pool (PGlite is a
 * single session), so Kysely serialises transactions; on PostgreSQL it is a normal pool.
 */
export interface Database {
  kind: DbKind;
  db: Kysely<DB>;
  pool: pg.Pool;
  pglite: PGlite | null;
  /**
   * Bulk-load CSV rows into a table (COPY ... FROM). `trusted` skips foreign-key triggers for rows
   * our own generator made consistent (needs a superuser; silently checked otherwise).
   */
  copyCsv(table: string, columns: string[], csv: string, opts?: { trusted?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** A PGlite data dir dump (tarball) to start from, used by tests. */
  loadDataDir?: Blob;
  poolSize?: number;
}

// int8 (count, sum over bigint) arrives as a string on both backends; numeric too. Callers convert.

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openPglite(opts.dataDir, opts.loadDataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    /* idle client errors surface on next query */
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    pool,
    pglite: null,
    async copyCsv(table, columns, csv, opts) {
      const client = await pool.connect();
      let replica = false;
      try {
        if (opts?.trusted)
          replica = await client.query('SET session_replication_role = replica').then(
            () => true,
            () => false,
          );
        const sqlText = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(',')}) FROM STDIN WITH (FORMAT csv)`;
        await pipeline(Readable.from([csv]), client.query(copyStreams.from(sqlText)));
      } finally {
        if (replica) await client.query('RESET session_replication_role').catch(() => undefined);
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Database> {
  if (dataDir !== 'memory://') fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const pglite = await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {});
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    db,
    pool,
    pglite,
    async copyCsv(table, columns, csv, opts) {
      // Hold the pool's only connection so no other transaction shares the session meanwhile.
      const client = await pool.connect();
      try {
        if (opts?.trusted) await pglite.query('SET session_replication_role = replica');
        await pglite.query(
          `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(',')}) FROM '/dev/blob' WITH (FORMAT csv)`,
          [],
          { blob: new Blob([csv]) },
        );
      } finally {
        if (opts?.trusted) await pglite.query('RESET session_replication_role');
        client.release();
      }
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
