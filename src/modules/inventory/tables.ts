/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = [
  'stock',
  'stock_movements',
  'stock_reservations',
  'stock_alerts',
  'promotion_pauses',
  'low_stock_rules',
] as const;
