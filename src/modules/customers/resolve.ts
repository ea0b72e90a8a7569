import type { Principal } from '../../platform/auth/roles';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { AppError, unprocessable } from '../../platform/http/errors';
import { identify, rootOf } from './identity';
import { IDENTIFIER_TYPES, InvalidIdentifier, normalise, type IdentifierType } from './identifiers';
import { lookup } from './profile';

export type CustomerRef = { id: string } | { type: string; value: string };

/**
 * The customer an order or event names: by id (following merges to the survivor), or by an
 * identifier, resolved exactly as POST /v1/identify does (creating the customer when it is new).
 */
export async function resolveCustomer(
  database: Database,
  keys: KeyRing,
  ref: CustomerRef,
  channel: string,
  actor: Principal | null,
  field = 'customer',
): Promise<string> {
  if ('id' in ref) {
    const id = await rootOf(database.db, ref.id);
    if (!id) throw unprocessable('unknown_customer', `customer ${ref.id} does not exist`, `${field}.id`);
    return id;
  }
  try {
    return (await identify(database, keys, { identifiers: [ref], channel }, actor)).customer_id;
  } catch (e) {
    // identify names identifiers[0]; here the identifier is the customer field
    if (e instanceof AppError && e.field?.startsWith('identifiers[0]'))
      throw unprocessable(e.code, e.message, e.field.replace('identifiers[0]', field));
    throw e;
  }
}

/** The customer a reference names, without creating one (a quote must not write): null when unknown. */
export async function findCustomer(
  database: Database,
  keys: KeyRing,
  ref: CustomerRef,
  field = 'customer',
): Promise<string | null> {
  if ('id' in ref) {
    const id = await rootOf(database.db, ref.id);
    if (!id) throw unprocessable('unknown_customer', `customer ${ref.id} does not exist`, `${field}.id`);
    return id;
  }
  if (!(IDENTIFIER_TYPES as readonly string[]).includes(ref.type))
    throw unprocessable('invalid_identifier', `unknown identifier type ${ref.type}`, `${field}.type`);
  try {
    return await lookup(database.db, keys, ref.type, normalise(ref.type as IdentifierType, ref.value));
  } catch (e) {
    if (e instanceof InvalidIdentifier) throw unprocessable('invalid_identifier', e.message, `${field}.value`);
    throw e;
  }
}
