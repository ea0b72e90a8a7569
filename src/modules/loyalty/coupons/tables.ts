import type { ColumnType, Generated } from 'kysely';
import type { Int8, Int8Default, Timestamp } from '../../../platform/db/schema';

/** The loyalty module's tables of this part (see ownership.test.ts: no other module names them). */
export const OWNED_TABLES = ['coupon_templates', 'coupons', 'coupon_redemptions'] as const;

export type CouponKind = 'amount_off' | 'percent_off' | 'threshold' | 'free_delivery' | 'gift';
export type CouponStatus = 'issued' | 'redeemed' | 'expired' | 'void';

export interface CouponTemplatesTable {
  id: string;
  name: string;
  description: string | null;
  kind: CouponKind;
  value: Int8;
  cap: Int8 | null;
  min_spend: Int8;
  gift_sku: string | null;
  channels: string[];
  skus: string[] | null;
  categories: string[] | null;
  locations: string[] | null;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  valid_days_after_claim: number | null;
  budget: number | null;
  per_customer_limit: number | null;
  stackable: boolean;
  restore_on_cancel: Generated<boolean>;
  issued: Generated<number>;
  status: ColumnType<'active' | 'paused', 'active' | 'paused' | undefined, 'active' | 'paused'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CouponsTable {
  code: string;
  template_id: string;
  customer_id: string;
  status: ColumnType<CouponStatus, CouponStatus | undefined, CouponStatus>;
  via: string;
  channel: string | null;
  issued_at: Timestamp;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
  order_ref: string | null;
  redeemed_channel: string | null;
  redeemed_location_id: string | null;
  redeemed_amount: Int8 | null;
  redeemed_at: Timestamp | null;
  /** Scoped to this SKU's lines when set (issueCoupon's scope_sku), instead of the template's skus. */
  scope_sku: ColumnType<string | null, string | null | undefined, string | null>;
  /** Usable at this store only when set (issueCoupon's scope_location), instead of the template's locations. */
  scope_location: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Generated<Date>;
}

export interface CouponRedemptionsTable {
  id: Int8Default;
  code: string;
  template_id: string;
  order_ref: string;
  channel: string;
  location_id: string | null;
  amount: Int8;
  redeemed_at: Timestamp;
  restored_at: Timestamp | null;
}

// Module tables join the one database interface by declaration merging.
declare module '../../../platform/db/schema' {
  interface DB {
    coupon_templates: CouponTemplatesTable;
    coupons: CouponsTable;
    coupon_redemptions: CouponRedemptionsTable;
  }
}
