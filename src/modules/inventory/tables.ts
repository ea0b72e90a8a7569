import type { Generated } from 'kysely';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = [
  'stock',
  'stock_movements',
  'stock_reservations',
  'stock_alerts',
  'promotion_pauses',
  'low_stock_rules',
] as const;

/** Inventory's column of issue 18 on the stock table (migration 2720). */
declare module '../../platform/db/schema' {
  interface StockTable {
    /** shipped to this location by a transfer, not yet received */
    in_transit: Generated<number>;
  }
}
