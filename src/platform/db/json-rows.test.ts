import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/db';
import { insertFromJson } from './json-rows';
import { StatementParams } from './statement';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase(2);
  await sql`CREATE TABLE json_rows_t (id text PRIMARY KEY, n bigint, at timestamptz, doc jsonb, blob bytea, note text DEFAULT 'default')`.execute(
    t.database.db,
  );
});
afterAll(async () => t?.drop());

describe('insertFromJson', () => {
  it('stores every type as a plain insert would: bigint, timestamptz, jsonb from JSON text, bytea, nulls, quotes, defaults', async () => {
    const at = new Date('2026-11-26T08:30:00.123Z');
    const blob = Buffer.from([0, 1, 2, 250, 255]);
    const rows = [
      { id: 'a', n: 9_007_199_254_740, at, doc: JSON.stringify({ k: 'v', list: [1, 2] }), blob },
      { id: 'b\'"\\', n: null, at: null, doc: null, blob: null },
    ];
    const params = new StatementParams();
    await params.run(t.database.db, insertFromJson(params, 'json_rows_t', rows, ['doc']));
    const got = (await t.database.db
      .selectFrom('json_rows_t' as never)
      .selectAll()
      .orderBy('id' as never)
      .execute()) as unknown as Record<string, unknown>[];
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ id: 'a', n: '9007199254740', doc: { k: 'v', list: [1, 2] }, note: 'default' }); // a column the rows do not name keeps its default
    expect((got[0].at as Date).toISOString()).toBe(at.toISOString());
    expect(Buffer.from(got[0].blob as Uint8Array).equals(blob)).toBe(true);
    expect(got[1]).toMatchObject({ id: 'b\'"\\', n: null, at: null, doc: null, blob: null });
  });
});
