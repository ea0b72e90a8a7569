import type { Generated } from 'kysely';
import type { Int8 } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['clv_runs', 'clv_scores'] as const;

export type ClvRunStatus = 'running' | 'done' | 'failed';

export interface ClvRunsTable {
  id: string;
  status: Generated<ClvRunStatus>;
  /** A date; read it as text (`calibration_end::text`). */
  calibration_end: string;
  horizon_days: number;
  time_unit: Generated<'week' | 'day'>;
  customers: number | null;
  r: number | null;
  alpha: number | null;
  a: number | null;
  b: number | null;
  log_likelihood: number | null;
  p: number | null;
  q: number | null;
  v: number | null;
  error: string | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
}

export interface ClvScoresTable {
  run_id: string;
  customer_id: string;
  frequency: number;
  recency: number;
  t: number;
  p_alive: number;
  expected_orders: number;
  expected_avg_value: Int8;
  expected_value: Int8;
}

declare module '../../platform/db/schema' {
  interface DB {
    clv_runs: ClvRunsTable;
    clv_scores: ClvScoresTable;
  }
}
