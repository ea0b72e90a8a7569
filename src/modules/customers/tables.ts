import type { Generated } from 'kysely';
import type { Int8Default } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = [
  'customers',
  'customer_identifiers',
  'customer_events',
  'customer_merges',
  'customer_tags',
  'customer_consents',
  'identity_verifications',
  'trait_definitions',
  'customer_search_keys',
] as const;

/** Blind indexes for search: a phone's last 4 digits, the exact name (migration 2300, search-keys.ts). */
export interface CustomerSearchKeysTable {
  kind: 'phone_tail' | 'name';
  hash: string;
  customer_id: string;
}

export interface CustomerConsentsTable {
  id: Int8Default;
  customer_id: string;
  purpose: string;
  granted: boolean;
  channel: string;
  source: string;
  at: Generated<Date>;
}

export interface IdentityVerificationsTable {
  id: string;
  type: 'phone' | 'email';
  value_hash: string;
  code_hash: string;
  key_id: string | null;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
}

export interface TraitDefinitionsTable {
  key: string;
  classification: 'pii' | 'plain';
  type: 'string' | 'number' | 'boolean' | 'date';
  created_at: Generated<Date>;
  created_by: string | null;
}

// Module tables join the one database interface by declaration merging.
declare module '../../platform/db/schema' {
  interface DB {
    customer_consents: CustomerConsentsTable;
    identity_verifications: IdentityVerificationsTable;
    trait_definitions: TraitDefinitionsTable;
    customer_search_keys: CustomerSearchKeysTable;
  }
}
