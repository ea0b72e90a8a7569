import { sql, type RawBuilder } from 'kysely';
import { open, type KeyRing } from '../../platform/crypto/keys';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../platform/db/database';
import { getSetting, putSetting } from '../../platform/settings';
import { nameOf } from './person-name';

/**
 * Blind indexes for search (table customer_search_keys, migration 2300): the last 4 digits of a
 * phone, as tills ask for it, and the exact name. HMACs under the index key; a tail has only
 * 10,000 values, so its index says which people share one, nothing more without the key.
 */
export type SearchKind = 'phone_tail' | 'name';

/** A name as searched: Unicode-normalised (full-width letters to plain), trimmed, spaces single, lower case. */
export const normaliseName = (name: string) => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** The last four digits of a normalised phone number. */
export const phoneTail = (phone: string) => phone.slice(-4);

export const searchHash = (keys: KeyRing, kind: SearchKind, normalised: string) =>
  keys.blindIndex(`search_${kind}`, normalised);

/** The search rows of a customer's phones (normalised) and name. */
export function searchRows(keys: KeyRing, customerId: string, phones: string[], name: string | null) {
  const rows = phones.map((p) => ['phone_tail', searchHash(keys, 'phone_tail', phoneTail(p)), customerId]);
  if (name !== null) rows.push(['name', searchHash(keys, 'name', normaliseName(name)), customerId]);
  return rows;
}

/**
 * Statements (for one WITH of data-modifying statements) that add the keys of new phones and, when
 * `name` is given (a string or null: the name now), replace the name key.
 */
export function searchKeyWrites(
  keys: KeyRing,
  customerId: string,
  phones: string[],
  name: string | null | undefined,
): RawBuilder<unknown>[] {
  const out: RawBuilder<unknown>[] = [];
  const rows = searchRows(keys, customerId, phones, name ?? null);
  if (name !== undefined) {
    const keep = name === null ? '' : searchHash(keys, 'name', normaliseName(name));
    out.push(
      sql`DELETE FROM customer_search_keys WHERE customer_id = ${customerId} AND kind = 'name' AND hash <> ${keep}`,
    );
  }
  if (rows.length > 0)
    out.push(
      sql`INSERT INTO customer_search_keys (kind, hash, customer_id) VALUES ${sql.join(rows.map((r) => sql`(${sql.join(r)})`))} ON CONFLICT DO NOTHING`,
    );
  return out;
}

/** The customer ids (not roots) with this key. */
export async function idsWithKey(db: Queryable, keys: KeyRing, kind: SearchKind, normalised: string) {
  const rows = await db
    .selectFrom('customer_search_keys')
    .select('customer_id')
    .where('kind', '=', kind)
    .where('hash', '=', searchHash(keys, kind, normalised))
    .execute();
  return rows.map((r) => r.customer_id);
}

const PROGRESS = 'customers.search_keys_backfill';
const BATCH = 1000;

/** Indexes the next (up to) 1000 customers after `after` by id: the last id done and how many, or null when none were left. */
async function indexBatch(
  db: Database['db'],
  keys: KeyRing,
  after: string,
): Promise<{ last: string; n: number } | null> {
  const people = await db
    .selectFrom('customers')
    .select(['id', 'data_key', 'pii'])
    .where('id', '>', after)
    .where('erased_at', 'is', null)
    .orderBy('id')
    .limit(BATCH)
    .execute();
  if (people.length === 0) return null;
  const ids = people.map((p) => p.id);
  const phones = await db
    .selectFrom('customer_identifiers')
    .select(['customer_id', 'value_enc'])
    .where('customer_id', 'in', ids)
    .where('type', '=', 'phone')
    .execute();
  const rows: unknown[][] = [];
  for (const p of people) {
    if (!p.data_key) continue;
    const mine = phones.filter((x) => x.customer_id === p.id && x.value_enc);
    if (!p.pii && mine.length === 0) continue;
    const dek = keys.unwrap(p.data_key);
    const name = p.pii ? nameOf(JSON.parse(open(dek, p.pii).toString('utf8')) as Record<string, unknown>) : null;
    rows.push(
      ...searchRows(
        keys,
        p.id,
        mine.map((x) => open(dek, x.value_enc!).toString('utf8')),
        name,
      ),
    );
  }
  if (rows.length > 0)
    await sql`INSERT INTO customer_search_keys (kind, hash, customer_id) VALUES ${sql.join(rows.map((r) => sql`(${sql.join(r)})`))} ON CONFLICT DO NOTHING`.execute(
      db,
    );
  return { last: ids[ids.length - 1], n: ids.length };
}

/**
 * Indexes every customer not erased from their sealed name and phones, 1000 at a time (after the
 * demo seed and bulk loads that write customers directly). Idempotent. Returns how many were indexed.
 */
export async function backfillSearchKeys(database: Database, keys: KeyRing): Promise<number> {
  let n = 0;
  for (let b = await indexBatch(database.db, keys, ''); b !== null; b = await indexBatch(database.db, keys, b.last))
    n += b.n;
  await putSetting(database.db, PROGRESS, { done: true });
  return n;
}

/**
 * Dispatcher task for databases from before migration 2300: one batch of 1000 customers per tick,
 * resuming after the last id done (settings), until every customer has been indexed once; the
 * server answers meanwhile (a tail or name search finds the customers indexed so far). New and
 * changed customers are indexed as they are written, so this runs once per database.
 */
export function searchKeysBackfillTask(database: Database, keys: KeyRing, log: Logger): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    const state = (await getSetting<{ done?: boolean; after?: string }>(database.db, PROGRESS)) ?? {};
    if (state.done) {
      done = true;
      return;
    }
    const batch = await indexBatch(database.db, keys, state.after ?? '');
    await putSetting(database.db, PROGRESS, batch === null ? { done: true } : { after: batch.last });
    if (batch === null) log.info('search keys backfilled');
  };
}
