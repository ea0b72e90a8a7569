import { sql } from 'kysely';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Queryable } from '../../platform/db/database';
import { traitState } from './identity';
import { isPersonalTrait } from './trait-schema';

const BATCH = 1000;

/**
 * The people (roots of known, not erased groups) whose date trait falls on a month and day
 * (`MM-DD`), the trait written `YYYY-MM-DD` or `MM-DD` — journeys' date triggers (a birthday in 3
 * days). A plain trait is one query; a personal one (birthday) is decrypted per person, in
 * batches by id, and never leaves this function: only the ids do.
 */
export async function peopleByDateTrait(
  db: Queryable,
  keys: KeyRing,
  trait: string,
  monthDay: string,
): Promise<string[]> {
  if (!isPersonalTrait(trait)) {
    const r = await sql<{ id: string }>`SELECT id FROM customers
      WHERE root_id IS NULL AND kind = 'known' AND erased_at IS NULL AND right(traits ->> ${trait}::text, 5) = ${monthDay}`.execute(
      db,
    );
    return r.rows.map((x) => x.id);
  }
  const out: string[] = [];
  for (let last = ''; ;) {
    const rows = await db
      .selectFrom('customers')
      .select(['id', 'data_key', 'pii', 'traits', 'trait_seen'])
      .where('root_id', 'is', null)
      .where('kind', '=', 'known')
      .where('erased_at', 'is', null)
      .where('pii', 'is not', null)
      .where('id', '>', last)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const c of rows) {
      const v = traitState(keys, c).personal[trait];
      if (typeof v === 'string' && v.slice(-5) === monthDay) out.push(c.id);
    }
    if (rows.length < BATCH) return out;
    last = rows[rows.length - 1]!.id;
  }
}
