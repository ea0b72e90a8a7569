import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../src/platform/db/database';
import { migrate } from '../src/platform/db/migrate';

/** Which backend this test run uses: SANTONG_TEST_DB=pglite (default) or postgres. */
export const TEST_DB: 'pglite' | 'postgres' = process.env.SANTONG_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TMP = path.resolve(import.meta.dirname, '..', '.test-tmp');
const TEMPLATE_FILE = path.join(TMP, 'pglite-template.tar.gz');
const TEMPLATE_DB = `santong_tpl_${process.env.SANTONG_TEST_RUN ?? 'local'}`;

function urlFor(dbName: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = '/' + dbName;
  return u.toString();
}

async function adminQuery(sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

/** Once per run (vitest globalSetup): a migrated template to clone for every test database. */
export async function prepareTemplate(): Promise<void> {
  fs.mkdirSync(TMP, { recursive: true });
  if (TEST_DB === 'pglite') {
    const d = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    await migrate(d);
    const dump = await d.pglite!.dumpDataDir('gzip');
    fs.writeFileSync(TEMPLATE_FILE, Buffer.from(await dump.arrayBuffer()));
    await d.close();
  } else {
    await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${TEMPLATE_DB}`);
    const d = await openDatabase({ databaseUrl: urlFor(TEMPLATE_DB), dataDir: '' });
    await migrate(d);
    await d.close();
  }
}

export async function dropTemplate(): Promise<void> {
  if (TEST_DB === 'postgres') await adminQuery(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
}

export interface TestDatabase {
  database: Database;
  /** Connection string for a second server process on the same database (postgres only). */
  url: string | null;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file: a PGlite clone or a PostgreSQL database from the template. */
export async function freshDatabase(poolSize = 10): Promise<TestDatabase> {
  if (TEST_DB === 'pglite') {
    const blob = new Blob([fs.readFileSync(TEMPLATE_FILE)]);
    const database = await openDatabase({ databaseUrl: null, dataDir: 'memory://', loadDataDir: blob });
    return { database, url: null, drop: () => database.close() };
  }
  const name = `santong_t_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  const url = urlFor(name);
  const database = await openDatabase({ databaseUrl: url, dataDir: '', poolSize });
  return {
    database,
    url,
    async drop() {
      await database.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
