/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['fulfillments', 'fulfillment_lines', 'fulfillment_events', 'pickup_code_guards'] as const;

/** Wrong pickup codes in a row per pickup, and the lock they led to (migration 1630). */
export interface PickupCodeGuardsTable {
  fulfillment_id: string;
  failures: number;
  locked_until: Date | null;
}

declare module '../../platform/db/schema' {
  interface DB {
    pickup_code_guards: PickupCodeGuardsTable;
  }
}
