import type { KeyRing } from '../../platform/crypto/keys';
import type { Queryable } from '../../platform/db/database';
import { traitState } from './identity';

/**
 * What a marketing message may greet the person (a root id) with: their `name` trait (decrypted
 * when personal), and their plain `home_store` trait; nulls for an erased or unknown person.
 */
export async function greetingFields(
  db: Queryable,
  keys: KeyRing,
  root: string,
): Promise<{ name: string | null; home_store: string | null }> {
  const c = await db
    .selectFrom('customers')
    .select(['data_key', 'pii', 'traits', 'trait_seen', 'erased_at'])
    .where('id', '=', root)
    .executeTakeFirst();
  if (!c || c.erased_at) return { name: null, home_store: null };
  const state = traitState(keys, c);
  const name = state.personal.name ?? state.plain.name;
  const home = state.plain.home_store;
  return { name: typeof name === 'string' ? name : null, home_store: typeof home === 'string' ? home : null };
}
