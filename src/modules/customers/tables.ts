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
    trait_definitions: TraitDefinitionsTable;
  }
}
