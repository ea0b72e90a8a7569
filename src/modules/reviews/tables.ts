import type { Generated } from 'kysely';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['product_reviews'] as const;

export type ReviewStatus = 'pending' | 'published' | 'rejected';

export interface ProductReviewsTable {
  id: string;
  sku: string;
  order_id: string;
  line_no: number;
  customer_id: string;
  rating: number;
  text: string;
  status: Generated<ReviewStatus>;
  created_at: Generated<Date>;
  moderated_at: Date | null;
  moderated_by: string | null;
}

declare module '../../platform/db/schema' {
  interface DB {
    product_reviews: ProductReviewsTable;
  }
}
