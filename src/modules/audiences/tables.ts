import type { Generated } from 'kysely';
import type { Int8, Timestamp } from '../../platform/db/schema';
import type { LIFECYCLE_STAGES } from './rfm-segments';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['rfm_runs', 'rfm_scores'] as const;

export type RfmRunStatus = 'running' | 'done' | 'failed';

export interface RfmRunsTable {
  id: string;
  status: Generated<RfmRunStatus>;
  as_of: Timestamp;
  window_days: number | null;
  customers: number | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
  at_risk_gaps: Generated<number>;
  lapsed_gaps: Generated<number>;
  loyal_orders: Generated<number>;
  typical_gap_days: number | null;
}

export interface RfmScoresTable {
  run_id: string;
  customer_id: string;
  recency_days: number;
  frequency: number;
  monetary: Int8;
  r: number;
  f: number;
  m: number;
  rfm: string;
  segment: string;
  lifecycle: Generated<(typeof LIFECYCLE_STAGES)[number]>;
}

declare module '../../platform/db/schema' {
  interface DB {
    rfm_runs: RfmRunsTable;
    rfm_scores: RfmScoresTable;
  }
}
