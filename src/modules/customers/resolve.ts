import type { Queryable } from '../../platform/db/database';
import type { KeyRing } from '../../platform/crypto/keys';
import { seal } from '../../platform/crypto/keys';
import { newId } from '../../platform/ids';
import { InvalidIdentifier, IDENTIFIER_TYPES, mask, normalise, STRONG_TYPES, type IdentifierType } from './identifiers';

export type CustomerRef = { id: string } | { type: string; value: string };

export class CustomerRefError extends Error {
  constructor(message: string, public readonly field: string, public readonly code: string) {
    super(message);
  }
}

/** Follows merges to the live customer. */
export async function liveCustomerId(db: Queryable, id: string): Promise<string | null> {
  let current = id;
  for (let i = 0; i < 10; i++) {
    const row = await db.selectFrom('customers').select(['id', 'merged_into', 'erased_at']).where('id', '=', current).executeTakeFirst();
    if (!row || row.erased_at) return null;
    if (!row.merged_into) return row.id;
    current = row.merged_into;
  }
  return null;
}

/**
 * The customer an order or event names: by id, or by an identifier, creating the customer when a
 * strong identifier is new. (Full identity resolution with merges is the people module's identify.)
 */
export async function resolveCustomer(db: Queryable, keys: KeyRing, ref: CustomerRef, channel: string, field = 'customer'): Promise<string> {
  if ('id' in ref) {
    const id = await liveCustomerId(db, ref.id);
    if (!id) throw new CustomerRefError(`customer ${ref.id} does not exist`, `${field}.id`, 'unknown_customer');
    return id;
  }
  if (!(IDENTIFIER_TYPES as readonly string[]).includes(ref.type)) throw new CustomerRefError(`unknown identifier type ${ref.type}`, `${field}.type`, 'invalid_identifier');
  const type = ref.type as IdentifierType;
  let value: string;
  try {
    value = normalise(type, ref.value);
  } catch (e) {
    throw new CustomerRefError(e instanceof InvalidIdentifier ? e.message : 'invalid identifier', `${field}.value`, 'invalid_identifier');
  }
  const hash = keys.blindIndex(type, value);
  const found = await db.selectFrom('customer_identifiers').select('customer_id').where('type', '=', type).where('value_hash', '=', hash).orderBy('first_seen').executeTakeFirst();
  if (found) {
    const id = await liveCustomerId(db, found.customer_id);
    if (id) return id;
  }
  if (!STRONG_TYPES.has(type)) throw new CustomerRefError(`no customer is known by this ${type}`, `${field}.value`, 'unknown_customer');
  const id = newId('cus');
  const dek = keys.newDataKey();
  await db.insertInto('customers').values({ id, first_channel: channel, data_key: dek.wrapped, pii: null, traits: '{}', merged_into: null, erased_at: null }).execute();
  await db
    .insertInto('customer_identifiers')
    .values({ customer_id: id, type, value_hash: hash, value_enc: seal(dek.plain, value), masked: mask(type, value), strong: true })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return id;
}
