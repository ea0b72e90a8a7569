import type { Timestamp } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['journeys', 'journey_enrolments', 'journey_step_executions'] as const;

export const JOURNEY_STATES = ['draft', 'active', 'paused', 'archived'] as const;
export type JourneyState = (typeof JOURNEY_STATES)[number];

export interface JourneysTable {
  id: string;
  name: string;
  definition: unknown;
  state: JourneyState;
  holdout_percent: number;
  reentry: boolean;
  version: number;
  cursor_at: Timestamp | null;
  scanned_at: Timestamp | null;
  activated_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface JourneyEnrolmentsTable {
  id: string;
  journey_id: string;
  customer_id: string;
  trigger_key: string;
  trigger: unknown;
  entered_at: Timestamp;
  holdout: boolean;
  variant: string | null;
  state: 'active' | 'completed' | 'exited';
  exit_reason: string | null;
  position: string | null;
  next_run_at: Timestamp | null;
  coupon_code: string | null;
  store_id: string | null;
  updated_at: Timestamp;
}

export interface JourneyStepExecutionsTable {
  enrolment_id: string;
  step_id: string;
  journey_id: string;
  outcome: 'done' | 'suppressed';
  reason: string | null;
  result: string | null;
  executed_at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface DB {
    journeys: JourneysTable;
    journey_enrolments: JourneyEnrolmentsTable;
    journey_step_executions: JourneyStepExecutionsTable;
  }
}
