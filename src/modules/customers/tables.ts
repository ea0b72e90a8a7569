import type { Generated } from 'kysely';
import type { Int8Default } from '../../platform/db/schema';

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
  }
}
