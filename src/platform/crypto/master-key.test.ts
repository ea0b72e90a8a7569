import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_DB, TMP, type TestDatabase } from '../../../test/db';
import { delivery, must, setupGoods } from '../../../test/fixtures/goods';
import { startTestServer, type TestServer } from '../../../test/server';
import { identify } from '../../modules/customers/identity';
import { WRAPPED_KEY_COLUMNS } from '../../modules/wrapped-keys';
import { openDatabase, type Database } from '../db/database';
import { migrate } from '../db/migrate';
import { KeyRing, masterKeyFingerprint, open, seal, wrapKeyOf } from './keys';

/**
 * One master key per database: servers (in this process) and `santong` commands (child processes)
 * take turns on one database, a PGlite data dir or a fresh PostgreSQL database.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const keyHex = (label: string) => crypto.createHash('sha256').update(`master-key.test ${label}`).digest('hex');
const KEY_A = keyHex('A');
const KEY_B = keyHex('B');

interface Store {
  dataDir: string;
  url: string | null;
}

let tmp: string;
const databases: TestDatabase[] = [];

beforeAll(() => {
  fs.mkdirSync(TMP, { recursive: true });
  tmp = fs.mkdtempSync(path.join(TMP, 'master-key-'));
});

afterAll(async () => {
  for (const d of databases) await d.drop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function newStore(name: string): Promise<Store> {
  const dataDir = path.join(tmp, name, 'data');
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (TEST_DB === 'pglite') return { dataDir, url: null };
  // Its own pool stays unused (no connection): the store is opened by servers and commands in turn.
  const testDb = await freshDatabase(1);
  databases.push(testDb);
  return { dataDir, url: testDb.url };
}

function openStore(store: Store): Promise<Database> {
  return openDatabase({ databaseUrl: store.url, dataDir: store.dataDir });
}

async function query<T>(store: Store, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openStore(store);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

const keyRecord = (store: Store) =>
  query(store, (d) => d.db.selectFrom('master_key').selectAll().executeTakeFirstOrThrow());

/** Row counts that any start or command would change by writing. */
const counts = (store: Store) =>
  query(store, async (d) => {
    const r = await sql<Record<string, number>>`SELECT
      (SELECT count(*)::int FROM api_keys) AS api_keys, (SELECT count(*)::int FROM customers) AS customers,
      (SELECT count(*)::int FROM schema_migrations) AS migrations, (SELECT count(*)::int FROM audit_log) AS audit`.execute(
      d.db,
    );
    return r.rows[0];
  });

/** An in-process test server on the store with this master key; the store is closed after `fn`. */
async function startOn(store: Store, masterKey: string): Promise<{ s: TestServer; stop: () => Promise<void> }> {
  const database = await openStore(store);
  try {
    const s = await startTestServer({
      testDb: { database, url: store.url, drop: async () => {} },
      env: { SANTONG_MASTER_KEY: masterKey },
    });
    return {
      s,
      stop: async () => {
        await s.close();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

async function withServer(store: Store, masterKey: string, fn: (s: TestServer) => Promise<void>): Promise<void> {
  const { s, stop } = await startOn(store, masterKey);
  try {
    await fn(s);
  } finally {
    await stop();
  }
}

function cli(
  store: Store,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'santong.js'), ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      SANTONG_DATA_DIR: store.dataDir,
      DATABASE_URL: store.url ?? '',
      SANTONG_DEMO: '0',
      SANTONG_ADMIN_KEY: '',
      SANTONG_MASTER_KEY: '',
      SANTONG_NEW_MASTER_KEY: '',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const phone = (i: number) => `1393000${String(i).padStart(4, '0')}`;
const NOT_A_STACK = /\n\s+at /;
/** Several servers and commands start one after another: minutes on a busy machine. */
const SLOW = { timeout: 240_000 };

describe('the master key of a database', () => {
  it('is recorded on first start; a server with another key is refused before it writes anything', SLOW, async () => {
    const store = await newStore('first');
    await withServer(store, KEY_A, async (s) => {
      await must(s, 'POST', '/v1/identify', { identifiers: [{ type: 'phone', value: phone(1) }], channel: 'pos' });
    });
    const record = await keyRecord(store);
    expect(record).toMatchObject({
      fingerprint: masterKeyFingerprint(Buffer.from(KEY_A, 'hex')),
      rotating_to: null,
      legacy: false,
    });
    // A new database gets a random data root, not the master key.
    expect(open(wrapKeyOf(Buffer.from(KEY_A, 'hex')), record.wrapped_root!).equals(Buffer.from(KEY_A, 'hex'))).toBe(
      false,
    );

    const before = await counts(store);
    await expect(startOn(store, KEY_B)).rejects.toThrow(/is not this database's master key .*set SANTONG_MASTER_KEY/);
    expect(await counts(store)).toEqual(before);
    expect((await keyRecord(store)).fingerprint).toBe(record.fingerprint);

    // `santong import` with another key: exit 1, a message (no stack trace), nothing imported.
    const file = path.join(tmp, 'first', 'customers.csv');
    fs.writeFileSync(file, `phone,city\n${phone(2)},上海\n`);
    const r = await cli(store, ['import', 'customers', file], { SANTONG_MASTER_KEY: KEY_B });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^santong: SANTONG_MASTER_KEY is not this database's master key .*set SANTONG_MASTER_KEY/);
    expect(r.stderr).not.toMatch(NOT_A_STACK);
    expect(await counts(store)).toEqual(before);
    const ok = await cli(store, ['import', 'customers', file], { SANTONG_MASTER_KEY: KEY_A });
    expect(ok.code, ok.stderr).toBe(0);
    expect((await counts(store)).customers).toBe(before.customers + 1);
  });

  it(
    'keeps the key file inside the data dir, and copies in one that earlier versions left beside it',
    SLOW,
    async () => {
      const store = await newStore('keyfile');
      const r = await cli(store, ['keys', 'create', '--role', 'admin', '--name', 'ops']);
      expect(r.code, r.stderr).toBe(0);
      const file = path.join(store.dataDir, 'master.key');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.existsSync(path.join(path.dirname(store.dataDir), 'master.key'))).toBe(false);
      const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
      expect((await keyRecord(store)).fingerprint).toBe(masterKeyFingerprint(key));

      const old = await newStore('old-install');
      fs.writeFileSync(path.join(path.dirname(old.dataDir), 'master.key'), KEY_A + '\n');
      expect((await cli(old, ['keys', 'create', '--role', 'admin', '--name', 'ops'])).code).toBe(0);
      expect(fs.readFileSync(path.join(old.dataDir, 'master.key'), 'utf8').trim()).toBe(KEY_A);
      expect((await keyRecord(old)).fingerprint).toBe(masterKeyFingerprint(Buffer.from(KEY_A, 'hex')));

      // A key beside the data dir that is not the database's is refused, not copied in.
      const other = await newStore('other-install');
      expect(
        (await cli(other, ['keys', 'create', '--role', 'admin', '--name', 'ops'], { SANTONG_MASTER_KEY: KEY_A })).code,
      ).toBe(0);
      fs.writeFileSync(path.join(path.dirname(other.dataDir), 'master.key'), KEY_B + '\n');
      const refused = await cli(other, ['keys', 'create', '--role', 'admin', '--name', 'ops']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /the key file .*master\.key \(SANTONG_MASTER_KEY is not set\) is not this database's master key/,
      );
      expect(fs.existsSync(path.join(other.dataDir, 'master.key'))).toBe(false);
    },
  );

  const onPostgres = it.runIf(TEST_DB === 'postgres');
  onPostgres(
    'refuses a command run from another folder on the same PostgreSQL, writing no key file',
    SLOW,
    async () => {
      const store = await newStore('shared');
      expect((await cli(store, ['keys', 'create', '--role', 'admin', '--name', 'ops'])).code).toBe(0);
      const elsewhere = { ...store, dataDir: path.join(tmp, 'elsewhere', 'data') };
      const file = path.join(tmp, 'elsewhere', 'customers.csv');
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, `phone\n${phone(3)}\n`);
      const before = await counts(store);
      const r = await cli(elsewhere, ['import', 'customers', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/this database has a master key and no key file is at .*set SANTONG_MASTER_KEY/);
      expect(fs.existsSync(path.join(elsewhere.dataDir, 'master.key'))).toBe(false);
      expect(await counts(store)).toEqual(before);
    },
  );

  it('must be given in production on PostgreSQL: no key file is generated', async () => {
    const store = await newStore('production');
    // On a PGlite run an unreachable URL shows that it refuses before connecting.
    const url = store.url ?? 'postgres://postgres@127.0.0.1:1/nowhere';
    const r = await cli(store, ['start'], { NODE_ENV: 'production', DATABASE_URL: url, PORT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'santong: set SANTONG_MASTER_KEY: in production on PostgreSQL (NODE_ENV=production, DATABASE_URL) no master key file is generated\n',
    );
    expect(fs.existsSync(path.join(store.dataDir, 'master.key'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(store.dataDir), 'master.key'))).toBe(false);
  });

  it('lists every column of wrapped data keys for rotation', async () => {
    const store = await newStore('columns');
    const columns = await query(store, async (d) => {
      await migrate(d);
      const r = await sql<{ table: string; column: string }>`
        SELECT table_name AS table, column_name AS column FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'bytea' AND column_name LIKE '%\\_key' ORDER BY 1, 2`.execute(
        d.db,
      );
      return r.rows;
    });
    expect(columns).toEqual(WRAPPED_KEY_COLUMNS.map(({ table, column }) => ({ table, column })));
  });
});

describe('santong keys rotate-master', () => {
  it(
    're-wraps every data key, resumes after an interruption, and the server reads the old data with the new key only',
    SLOW,
    async () => {
      const store = await newStore('rotate');
      const a = Buffer.from(KEY_A, 'hex');
      const b = Buffer.from(KEY_B, 'hex');
      const customers: string[] = [];
      let admin = '';
      let orderId = '';
      const replay = { identifiers: [{ type: 'phone', value: phone(99) }], channel: 'pos' };
      await withServer(store, KEY_A, async (s) => {
        for (let i = 10; i < 15; i++) {
          const c = await must(s, 'POST', '/v1/identify', {
            identifiers: [{ type: 'phone', value: phone(i) }],
            channel: 'pos',
          });
          customers.push(c.customer_id);
        }
        await setupGoods(s, { dc1: { TV: 5 } });
        const order = { channel: 'web', lines: [{ sku: 'TV', qty: 1 }], fulfillment: delivery('standard') };
        orderId = (await must(s, 'POST', '/v1/orders', order)).id;
        admin = await s.keyFor('admin');
        const first = await s.api('POST', '/v1/identify', replay, {
          key: admin,
          headers: { 'idempotency-key': 'rotate-replay' },
        });
        expect(first.status).toBe(200);
      });

      // An interrupted rotation: marked, one customer's key already re-wrapped.
      await query(store, async (d) => {
        const c = await d.db
          .selectFrom('customers')
          .select('data_key')
          .where('id', '=', customers[0])
          .executeTakeFirstOrThrow();
        const rewrapped = seal(wrapKeyOf(b), open(wrapKeyOf(a), c.data_key!));
        await d.db.updateTable('customers').set({ data_key: rewrapped }).where('id', '=', customers[0]).execute();
        await d.db
          .updateTable('master_key')
          .set({ rotating_to: masterKeyFingerprint(b) })
          .execute();
      });
      await expect(startOn(store, KEY_A)).rejects.toThrow(/rotation is unfinished/);
      await expect(startOn(store, KEY_B)).rejects.toThrow(/rotation is unfinished/);
      const total = await query(store, async (d) => {
        const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM customers WHERE data_key IS NOT NULL`.execute(
          d.db,
        );
        return r.rows[0].n;
      });

      const r = await cli(store, ['keys', 'rotate-master', '--batch', '2'], {
        SANTONG_MASTER_KEY: KEY_A,
        SANTONG_NEW_MASTER_KEY: KEY_B,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`re-wrapped: customers.data_key ${total - 1}, orders.address_key 1\n`);
      expect(r.stdout).toContain('start servers and commands with the new key in SANTONG_MASTER_KEY');
      const record = await keyRecord(store);
      expect(record).toMatchObject({
        fingerprint: masterKeyFingerprint(b),
        rotating_to: null,
        rotated_at: expect.any(Date),
      });
      const order = await query(store, (d) =>
        d.db
          .selectFrom('orders')
          .select(['address_key', 'address_enc'])
          .where('id', '=', orderId)
          .executeTakeFirstOrThrow(),
      );
      expect(open(open(wrapKeyOf(b), order.address_key!), order.address_enc!).toString('utf8')).toBe(
        delivery('standard').address,
      );

      await withServer(store, KEY_B, async (s) => {
        for (const [i, id] of customers.entries()) {
          expect((await must(s, 'GET', `/v1/customers/lookup?type=phone&value=${phone(i + 10)}`)).id).toBe(id);
        }
        const revealed = await must(s, 'POST', `/v1/customers/${customers[1]}/reveal`, {
          type: 'phone',
          reason: 'rotation check',
        });
        expect(revealed.values[0].value).toBe(`+86${phone(11)}`);
        // Keyed hashes derive from the data root, which rotation keeps: the idempotent replay still matches.
        const again = await s.api('POST', '/v1/identify', replay, {
          key: admin,
          headers: { 'idempotency-key': 'rotate-replay' },
        });
        expect(again.status).toBe(200);
      });
      await expect(startOn(store, KEY_A)).rejects.toThrow(/is not this database's master key/);

      const rerun = await cli(store, ['keys', 'rotate-master', '--new-key', KEY_B], { SANTONG_MASTER_KEY: KEY_A });
      expect(rerun).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('this database already has the new master key'),
      });
    },
  );

  it("refuses without a new key, and with a current key that is not the database's", SLOW, async () => {
    const store = await newStore('rotate-wrong');
    await withServer(store, KEY_A, async () => {});
    const none = await cli(store, ['keys', 'rotate-master'], { SANTONG_MASTER_KEY: KEY_A });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/needs the new key: --new-key HEX or SANTONG_NEW_MASTER_KEY/);
    const wrong = await cli(store, ['keys', 'rotate-master', '--new-key', keyHex('C')], { SANTONG_MASTER_KEY: KEY_B });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/SANTONG_MASTER_KEY is not this database's master key/);
    expect(wrong.stderr).not.toMatch(NOT_A_STACK);
    expect((await keyRecord(store)).fingerprint).toBe(masterKeyFingerprint(Buffer.from(KEY_A, 'hex')));
  });

  it('rotates a key file install: the key file then holds the new key', SLOW, async () => {
    const store = await newStore('rotate-file');
    expect((await cli(store, ['keys', 'create', '--role', 'admin', '--name', 'ops'])).code).toBe(0);
    const r = await cli(store, ['keys', 'rotate-master'], { SANTONG_NEW_MASTER_KEY: KEY_B });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`the new key is in ${path.join(store.dataDir, 'master.key')}`);
    expect(fs.readFileSync(path.join(store.dataDir, 'master.key'), 'utf8').trim()).toBe(KEY_B);
    expect((await keyRecord(store)).fingerprint).toBe(masterKeyFingerprint(Buffer.from(KEY_B, 'hex')));
  });
});

describe('a database that predates the master key record', () => {
  it(
    'keeps its blind indexes: the data root is its master key, checked against its data on first start',
    SLOW,
    async () => {
      const store = await newStore('legacy');
      const a = Buffer.from(KEY_A, 'hex');
      // Data written as earlier versions did (every key derived from the master key), then the upgrade.
      const id = await query(store, async (d) => {
        await migrate(d);
        const r = await identify(d, new KeyRing(a), {
          identifiers: [{ type: 'phone', value: phone(50) }],
          channel: 'pos',
        });
        await sql`DROP TABLE master_key`.execute(d.db);
        await sql`DELETE FROM schema_migrations WHERE id = '1670_master_key'`.execute(d.db);
        await migrate(d);
        return r.customer_id;
      });
      expect(await keyRecord(store)).toMatchObject({ legacy: true, fingerprint: null });
      await expect(startOn(store, KEY_B)).rejects.toThrow(/not the master key this database's data is encrypted with/);
      expect((await keyRecord(store)).fingerprint).toBeNull();

      await withServer(store, KEY_A, async (s) => {
        expect((await must(s, 'GET', `/v1/customers/lookup?type=phone&value=${phone(50)}`)).id).toBe(id);
      });
      const record = await keyRecord(store);
      expect(record.fingerprint).toBe(masterKeyFingerprint(a));
      expect(open(wrapKeyOf(a), record.wrapped_root!).equals(a)).toBe(true);
    },
  );
});
