/**
 * transact(): a transaction aborted as a deadlock victim (40P01) or for a serialization failure
 * (40001) runs again, nothing of the failed run stays; other errors pass through at once. And the
 * lock order's string order is PostgreSQL's COLLATE "C".
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_DB, type TestDatabase } from '../../../test/db';
import type { Tx } from './database';
import { byteOrder } from './locks';
import { transact } from './transaction';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
  await sql`CREATE TABLE lock_probe (id text PRIMARY KEY, n integer NOT NULL)`.execute(t.database.db);
  await sql`INSERT INTO lock_probe VALUES ('a', 0), ('b', 0)`.execute(t.database.db);
});
afterAll(async () => t?.drop());

const db = () => t.database.db;
const probe = async () =>
  (await sql<{ id: string; n: number }>`SELECT id, n FROM lock_probe ORDER BY id`.execute(db())).rows;
const bump = (tx: Tx, id: string) => sql`UPDATE lock_probe SET n = n + 1 WHERE id = ${id}`.execute(tx);

describe('transact', () => {
  it('commits what fn wrote and returns its result', async () => {
    const r = await transact(t.database, async (tx) => {
      await bump(tx, 'a');
      return 'done';
    });
    expect(r).toBe('done');
    expect(await probe()).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 0 },
    ]);
  });

  it("runs fn again after a serialization failure or deadlock, without the failed run's writes", async () => {
    for (const code of ['40001', '40P01']) {
      let runs = 0;
      const before = (await probe())[1].n;
      await transact(t.database, async (tx) => {
        await bump(tx, 'b');
        if (++runs === 1) throw Object.assign(new Error('aborted'), { code });
      });
      expect(runs).toBe(2);
      expect((await probe())[1].n).toBe(before + 1);
    }
  });

  it('gives up after the tries it was given, and lets any other error through at once', async () => {
    let runs = 0;
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    await expect(
      transact(
        t.database,
        async () => {
          runs++;
          throw deadlock;
        },
        { tries: 3 },
      ),
    ).rejects.toBe(deadlock);
    expect(runs).toBe(3);
    runs = 0;
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(
      transact(t.database, async () => {
        runs++;
        throw unique;
      }),
    ).rejects.toBe(unique);
    const plain = new Error('a bug');
    await expect(
      transact(t.database, async () => {
        runs++;
        throw plain;
      }),
    ).rejects.toBe(plain);
    expect(runs).toBe(2);
  });

  it.skipIf(TEST_DB !== 'postgres')(
    'survives a real deadlock: two transactions locking two rows in opposite order both commit',
    async () => {
      // Each takes its first row, waits until the other has its own, then asks for the other's row.
      let arrived = 0;
      let release!: () => void;
      const bothHold = new Promise<void>((resolve) => (release = resolve));
      const runs = { ab: 0, ba: 0 };
      const crossing = (first: 'a' | 'b', second: 'a' | 'b', key: 'ab' | 'ba') =>
        transact(t.database, async (tx) => {
          runs[key]++;
          await sql`SELECT n FROM lock_probe WHERE id = ${first} FOR UPDATE`.execute(tx);
          if (runs[key] === 1 && ++arrived === 2) release();
          if (runs[key] === 1) await bothHold;
          await bump(tx, second);
          await bump(tx, first);
        });
      const before = await probe();
      await Promise.all([crossing('a', 'b', 'ab'), crossing('b', 'a', 'ba')]);
      expect(runs.ab + runs.ba).toBe(3); // the deadlock's victim ran once more
      expect((await probe()).map((r) => r.n)).toEqual(before.map((r) => r.n + 2));
    },
    30_000,
  );
});

describe('the lock order of strings', () => {
  it('sorts as PostgreSQL sorts with COLLATE "C" (UTF-8 bytes)', async () => {
    const words = [
      'b',
      'B',
      'a-1',
      'a_1',
      'a1',
      'A1',
      'é',
      'z',
      '\uE000',
      '\uFFFD',
      '😀',
      '中',
      'loc-10',
      'loc-9',
      '',
      'a',
    ];
    const pg = await sql<{ w: string }>`SELECT w FROM unnest(${words}::text[]) AS w ORDER BY w COLLATE "C"`.execute(
      db(),
    );
    expect([...words].sort(byteOrder)).toEqual(pg.rows.map((r) => r.w));
  });
});
