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
] as const;

export interface CustomerConsentsTable {
  id: Int8Default;
  customer_id: string;
  purpose: string;
  granted: boolean;
  channel: string;
  source: string;
  at: Generated<Date>;
}

// Module tables join the one database interface by declaration merging.
declare module '../../platform/db/schema' {
  interface DB {
    customer_consents: CustomerConsentsTable;
  }
}
