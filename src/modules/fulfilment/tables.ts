/** Tables of the fulfilment module (the fulfilments themselves are in platform/db/schema.ts). */

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
