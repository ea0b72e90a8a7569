import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/db';
import type { Database } from './database';
import { migrate } from './migrate';

/**
 * fulfilment's and couriers' tables were created by orders' 0800_fulfilment until the modules
 * owned them; now 0801_fulfillments and 0802_courier_jobs create them. A database that applied the
 * old 0800 holds those tables without the two new ids: it must migrate without error and end with
 * the same schema as a fresh one.
 */
const SPLIT = ['0801_fulfillments', '0802_courier_jobs'];
const TABLES = ['fulfillments', 'fulfillment_lines', 'fulfillment_events', 'courier_jobs'];

async function schemaOf(database: Database) {
  const columns = await sql<Record<string, unknown>>`
    SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ANY(${TABLES}) ORDER BY table_name, column_name`.execute(
    database.db,
  );
  const indexes = await sql<Record<string, unknown>>`
    SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY(${TABLES}) ORDER BY indexname`.execute(
    database.db,
  );
  const constraints = await sql<Record<string, unknown>>`
    SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE conrelid::regclass::text = ANY(${TABLES}) ORDER BY 1, 2`.execute(database.db);
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
}

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase(2);
});
afterAll(async () => {
  await t?.drop();
});

describe('the fulfilment and courier tables moved to their modules', () => {
  it('a database that applied the old 0800 applies 0801 and 0802 as no-ops and ends with the fresh schema', async () => {
    const fresh = await schemaOf(t.database);
    expect(fresh.columns.length).toBeGreaterThan(20);
    expect(fresh.indexes.map((i) => i.indexname)).toContain('courier_jobs_fulfillment');
    await sql`DELETE FROM schema_migrations WHERE id = ANY(${SPLIT})`.execute(t.database.db);
    expect(await migrate(t.database)).toEqual(SPLIT);
    expect(await schemaOf(t.database)).toEqual(fresh);
    expect(await migrate(t.database)).toEqual([]);
  });
});
