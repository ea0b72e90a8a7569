import type { Generated } from 'kysely';
import type { Int8, Int8Default } from '../../../platform/db/schema';

/** The loyalty module's tables of this part (see ownership.test.ts: no other module names them). */
export const OWNED_TABLES = ['tier_spend', 'customer_tiers'] as const;

export interface TierSpendTable {
  id: Int8Default;
  customer_id: string;
  order_ref: string;
  ref: string;
  amount: Int8;
  at: Date;
  created_at: Generated<Date>;
}

export interface CustomerTiersTable {
  customer_id: string;
  tier: string;
  since: Date;
  updated_at: Generated<Date>;
}

declare module '../../../platform/db/schema' {
  interface DB {
    tier_spend: TierSpendTable;
    customer_tiers: CustomerTiersTable;
  }
}
