import type { Generated } from 'kysely';
import type { Json } from '../../../platform/db/schema';

/** The loyalty module's tables of this part (see ownership.test.ts: no other module names them). */
export const OWNED_TABLES = ['referral_codes', 'referrals'] as const;

export interface ReferralCodesTable {
  customer_id: string;
  code: string;
  created_at: Generated<Date>;
}

export interface ReferralsTable {
  referee_id: string;
  referrer_id: string;
  code: string;
  bound_at: Date;
  order_ref: string | null;
  rewarded_at: Date | null;
  reward: Json<Record<string, unknown>> | null;
}

declare module '../../../platform/db/schema' {
  interface DB {
    referral_codes: ReferralCodesTable;
    referrals: ReferralsTable;
  }
}
