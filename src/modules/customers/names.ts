import type { Principal } from '../../platform/auth/roles';
import { open, type KeyRing } from '../../platform/crypto/keys';
import type { Queryable } from '../../platform/db/database';
import { nameOf } from './person-name';
import { maskText, visibilityOf } from './profile';

/**
 * The names of these customers' people (each id's root) as `viewer` may see them: in full for
 * admins, masked (王**) for support and store staff, none (null) for other roles. An erased or
 * unknown id, or a person without a name, maps to null. One query; each name is unsealed with its
 * person's data key.
 */
export async function namesFor(
  db: Queryable,
  keys: KeyRing,
  viewer: Principal,
  ids: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>(ids.map((id) => [id, null]));
  const vis = visibilityOf(viewer);
  if (vis === 'none' || ids.length === 0) return out;
  const rows = await db
    .selectFrom('customers as c')
    .innerJoin('customers as r', (j) => j.on((eb) => eb('r.id', '=', eb.fn.coalesce('c.root_id', 'c.id'))))
    .select(['c.id', 'r.data_key', 'r.pii'])
    .where('c.id', 'in', [...new Set(ids)])
    .where('r.erased_at', 'is', null)
    .execute();
  for (const r of rows) {
    if (!r.pii || !r.data_key) continue;
    const name = nameOf(JSON.parse(open(keys.unwrap(r.data_key), r.pii).toString('utf8')) as Record<string, unknown>);
    out.set(r.id, name === null ? null : vis === 'full' ? name : maskText(name));
  }
  return out;
}
