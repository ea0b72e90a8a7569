import './tables';
import type { Principal } from '../../platform/auth/roles';
import type { Queryable } from '../../platform/db/database';
import { conflict, unprocessable } from '../../platform/http/errors';
import { contactDataIn, isContactKey } from '../../platform/privacy/contact-data';

/**
 * The declared traits. Personal data is recognised by the field it is declared in, not by its
 * name: built-in traits are declared here, custom ones by an admin (POST /v1/traits, table
 * trait_definitions) as `pii` (sealed under the person's data key, masked like contact data) or
 * `plain` (in the clear, shown to marketers). A trait nobody declared is plain, and is refused
 * when its key names contact data (mobile, phone_number, Email, ...) or its value looks like a
 * phone number or e-mail address: contact data belongs in identifiers.
 */
export type TraitClass = 'pii' | 'plain';
export type TraitType = 'string' | 'number' | 'boolean' | 'date';
export interface TraitDefinition {
  key: string;
  classification: TraitClass;
  type: TraitType;
  builtin: boolean;
}

const builtin = (classification: TraitClass, keys: string[], type: TraitType = 'string') =>
  keys.map((key) => ({ key, classification, type, builtin: true }));
export const BUILTIN_TRAITS: ReadonlyMap<string, TraitDefinition> = new Map(
  [
    ...builtin('pii', ['name', 'first_name', 'last_name', 'address', 'id_number', 'phone', 'email']),
    ...builtin('pii', ['birthday'], 'date'),
    ...builtin('plain', ['gender', 'city', 'province', 'country', 'language', 'home_store', 'tier', 'occupation']),
  ].map((d) => [d.key, d]),
);

// Custom pii keys seen by this process. Definitions are never changed or dropped, so the set only
// grows; checkTraits() adds a request's keys before identify() splits its traits.
const customPii = new Set<string>();

/** Whether a trait is stored sealed: a built-in or declared pii trait. */
export function isPersonalTrait(key: string): boolean {
  return BUILTIN_TRAITS.get(key)?.classification === 'pii' || customPii.has(key);
}

const TYPE_OK: Record<TraitType, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && Number.isFinite(Date.parse(v)),
};

async function customDefinitions(db: Queryable, keys?: string[]): Promise<TraitDefinition[]> {
  let q = db.selectFrom('trait_definitions').select(['key', 'classification', 'type']).orderBy('key');
  if (keys) q = q.where('key', 'in', keys.length > 0 ? keys : ['']);
  const rows = await q.execute();
  for (const r of rows) if (r.classification === 'pii') customPii.add(r.key);
  return rows.map((r) => ({ ...r, builtin: false }));
}

/**
 * Checks the traits of an identify against the schema (one query for the request's keys); a
 * problem is a 422 naming `traits.<key>`. Null clears a trait and is always accepted.
 */
export async function checkTraits(db: Queryable, traits: Record<string, unknown> | undefined): Promise<void> {
  if (!traits) return;
  const keys = Object.keys(traits);
  const custom = new Map(
    (
      await customDefinitions(
        db,
        keys.filter((k) => !BUILTIN_TRAITS.has(k)),
      )
    ).map((d) => [d.key, d]),
  );
  for (const k of keys) {
    const v = traits[k];
    const field = `traits.${k}`;
    const def = BUILTIN_TRAITS.get(k) ?? custom.get(k);
    if (v === null) continue;
    if (!def && isContactKey(k)) {
      throw unprocessable(
        'undeclared_contact_trait',
        `${field} names contact data: send phone numbers and e-mail addresses as identifiers, or declare the trait as pii (POST /v1/traits)`,
        field,
      );
    }
    if (def && !TYPE_OK[def.type](v))
      throw unprocessable(
        'invalid_trait',
        `${field} must be a ${def.type}${def.type === 'date' ? ' (YYYY-MM-DD)' : ''}`,
        field,
      );
    if (
      def?.classification !== 'pii' &&
      (typeof v === 'string' || typeof v === 'number') &&
      contactDataIn(String(v)) !== null
    ) {
      throw unprocessable(
        'contact_data_in_trait',
        `${field} looks like a phone number or e-mail address: send it as an identifier, or declare the trait as pii`,
        field,
      );
    }
  }
}

let cached: { at: number; list: Promise<TraitDefinition[]> } | null = null;
const CACHE_MS = 5000;

/** Every declared trait, built-in first (cached for a few seconds: reads mask by it). */
export async function traitDefinitions(db: Queryable): Promise<TraitDefinition[]> {
  if (!cached || Date.now() - cached.at > CACHE_MS) {
    cached = { at: Date.now(), list: customDefinitions(db).then((c) => [...BUILTIN_TRAITS.values(), ...c]) };
    cached.list.catch(() => (cached = null));
  }
  return cached.list;
}

/**
 * The plain traits a role without access to contact data may see: without traits stored before
 * their key was declared pii, keys that name contact data, and values that look like it (written
 * before these checks existed).
 */
export async function shownPlainTraits(
  db: Queryable,
  plain: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  await traitDefinitions(db);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plain)) {
    if (
      isPersonalTrait(k) ||
      isContactKey(k) ||
      ((typeof v === 'string' || typeof v === 'number') && contactDataIn(String(v)) !== null)
    )
      continue;
    out[k] = v;
  }
  return out;
}

/** Declares a custom trait; the same declaration again is a no-op, another one for the key a 409. */
export async function declareTrait(
  db: Queryable,
  actor: Principal,
  d: { key: string; classification: TraitClass; type?: TraitType },
): Promise<{ definition: TraitDefinition; created: boolean }> {
  const type = d.type ?? 'string';
  if (BUILTIN_TRAITS.has(d.key)) throw conflict('trait_builtin', `${d.key} is a built-in trait`, 'key');
  if (d.classification === 'plain' && isContactKey(d.key))
    throw unprocessable('contact_trait_plain', `${d.key} names contact data: declare it as pii`, 'classification');
  const inserted = await db
    .insertInto('trait_definitions')
    .values({ key: d.key, classification: d.classification, type, created_by: actor.keyId })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  const [existing] = await customDefinitions(db, [d.key]);
  if (existing.classification !== d.classification || existing.type !== type) {
    throw conflict(
      'trait_declared',
      `${d.key} is declared already as ${existing.classification} ${existing.type}; a declaration is never changed`,
      'key',
    );
  }
  cached = null;
  return { definition: existing, created: inserted !== undefined };
}
