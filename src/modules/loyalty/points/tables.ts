import type { Generated } from 'kysely';
import type { Int8, Int8Default } from '../../../platform/db/schema';

/** The loyalty module's tables of this part (see ownership.test.ts: no other module names them). */
export const OWNED_TABLES = ['points_entries', 'points_buckets', 'points_moves', 'points_order_lines'] as const;

export type EntryKind = 'earn' | 'redeem' | 'expire' | 'reverse' | 'adjust';

export interface PointsEntriesTable {
  id: Int8Default;
  customer_id: string;
  kind: EntryKind;
  points: Int8;
  source: string;
  order_ref: string | null;
  event_ref: string | null;
  reverses: 'earn' | 'redeem' | null;
  unrecovered: Int8Default;
  reason: string | null;
  idempotency_key: string | null;
  created_at: Generated<Date>;
}

export interface PointsBucketsTable {
  id: Int8;
  customer_id: string;
  points: Int8;
  remaining: Int8;
  expires_at: Date;
  created_at: Date;
}

export interface PointsMovesTable {
  entry_id: Int8;
  bucket_id: Int8;
  points: Int8;
}

export interface PointsOrderLinesTable {
  order_ref: string;
  line_no: number;
  qty: number;
  earned: Int8;
}

declare module '../../../platform/db/schema' {
  interface DB {
    points_entries: PointsEntriesTable;
    points_buckets: PointsBucketsTable;
    points_moves: PointsMovesTable;
    points_order_lines: PointsOrderLinesTable;
  }
}
