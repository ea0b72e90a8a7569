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

// Module tables join the one database interface by declaration merging.
declare module '../../platform/db/schema' {
  interface DB {
    customer_consents: CustomerConsentsTable;
  }
}
