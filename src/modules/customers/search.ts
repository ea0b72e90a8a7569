import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { normalise, type IdentifierType } from './identifiers';
import { rootOf } from './identity';
import { lookup } from './profile';
import { idsWithKey, normaliseName } from './search-keys';

const BY_IDENTIFIER: IdentifierType[] = ['phone', 'email', 'member_card', 'pos_card', 'wechat_unionid', 'external'];

/**
 * The people (root ids) a search finds, each through a blind index, never a scan of plain values:
 * an exact phone, e-mail, card or other strong identifier; the last 4 digits of a phone (4 digits);
 * the exact name (normalised); a customer id.
 */
export async function searchPeople(db: Database['db'], keys: KeyRing, q: string): Promise<string[]> {
  const found = new Set<string>();
  const add = async (ids: string[]) => {
    for (const id of ids) {
      const root = await rootOf(db, id);
      if (root) found.add(root);
    }
  };
  for (const type of BY_IDENTIFIER) {
    let v: string;
    try {
      v = normalise(type, q);
    } catch {
      continue;
    }
    const id = await lookup(db, keys, type, v);
    if (id) found.add(id);
  }
  const trimmed = q.trim();
  if (/^[0-9]{4}$/.test(trimmed)) await add(await idsWithKey(db, keys, 'phone_tail', trimmed));
  if (normaliseName(q) !== '') await add(await idsWithKey(db, keys, 'name', normaliseName(q)));
  if (trimmed.startsWith('cus_')) await add([trimmed]);
  return [...found];
}
