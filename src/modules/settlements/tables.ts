import type { Generated } from 'kysely';
import type { Int8, Json } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['settlement_entries', 'settlement_periods', 'settlement_applied_events'] as const;

export interface CreditedLine {
  sku: string;
  qty: number;
  /** what was paid for the line (fen) */
  net: number;
  /** unit cost used (fen); null: none known, the line was settled on net sales */
  unit_cost: number | null;
}

export interface SettlementEntriesTable {
  entry_key: string;
  period: string;
  location_id: string;
  order_id: string;
  return_id: string | null;
  kind: 'credit' | 'reversal';
  basis_kind: 'margin' | 'net_sales';
  percent_bp: number;
  basis: Int8;
  amount: Int8;
  cost_missing: boolean;
  lines: Json<CreditedLine[]>;
  at: Date;
  event_id: Int8 | null;
  booked_at: Generated<Date>;
}

export interface SettlementPeriodsTable {
  period: string;
  closed_at: Generated<Date>;
  closed_by: string;
  closed_role: string;
  early: boolean;
}

export interface SettlementAppliedEventsTable {
  event_id: Int8;
  applied_at: Generated<Date>;
}

declare module '../../platform/db/schema' {
  interface DB {
    settlement_entries: SettlementEntriesTable;
    settlement_periods: SettlementPeriodsTable;
    settlement_applied_events: SettlementAppliedEventsTable;
  }
}
