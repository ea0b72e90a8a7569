import type { Generated } from 'kysely';
import type { Timestamp } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = [
  'saved_segments',
  'segment_members',
  'segment_member_changes',
  'segment_category_rollup',
  'segment_category_skus',
  'segment_category_rollup_state',
] as const;

export const SEGMENT_KINDS = ['segment', 'tag'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export interface SavedSegmentsTable {
  id: string;
  kind: SegmentKind;
  name: string;
  description: string | null;
  rule: unknown;
  size: Generated<number>;
  evaluated_at: Timestamp | null;
  attempted_at: Timestamp | null;
  full_at: Timestamp | null;
  preset: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SegmentMembersTable {
  segment_id: string;
  customer_id: string;
  entered_at: Timestamp;
}

export interface SegmentMemberChangesTable {
  segment_id: string;
  customer_id: string;
  changed_at: Timestamp;
}

export interface SegmentCategoryRollupTable {
  customer_id: string;
  category: string;
  orders: number;
  units: string;
  amount: string;
  first_at: Timestamp;
  last_at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface DB {
    saved_segments: SavedSegmentsTable;
    segment_members: SegmentMembersTable;
    segment_member_changes: SegmentMemberChangesTable;
    segment_category_rollup: SegmentCategoryRollupTable;
    segment_category_skus: { sku: string; category: string };
    segment_category_rollup_state: { id: Generated<boolean>; synced_at: Timestamp; built_at: Timestamp };
  }
}
