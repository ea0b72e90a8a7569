import type { Generated } from 'kysely';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['forecast_runs', 'forecast_series', 'forecast_events'] as const;

export type ForecastRunStatus = 'running' | 'done' | 'failed';
export type ForecastEventKind = 'campaign' | 'presale' | 'holiday';

/** The location id under which a SKU's chain total is stored. */
export const CHAIN = '*';

export interface ForecastRunsTable {
  id: string;
  status: Generated<ForecastRunStatus>;
  /** A date; read it as text (`history_end::text`). */
  history_end: string;
  horizon_days: number;
  series: number | null;
  error: string | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
}

export interface ForecastSeriesTable {
  run_id: string;
  sku: string;
  location_id: string;
  model: string;
  /** A date; read it as text. */
  history_start: string;
  history: number[];
  mean: number[];
  lo: number[];
  hi: number[];
  sd: number[];
}

export interface ForecastEventsTable {
  id: string;
  name: string;
  kind: ForecastEventKind;
  /** Dates; read them as text. */
  starts_on: string;
  ends_on: string;
  uplift: number;
  sku: string | null;
  location_id: string | null;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema' {
  interface DB {
    forecast_runs: ForecastRunsTable;
    forecast_series: ForecastSeriesTable;
    forecast_events: ForecastEventsTable;
  }
}
