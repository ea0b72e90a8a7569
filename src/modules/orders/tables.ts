/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['orders', 'order_lines', 'order_returns', 'order_return_lines'] as const;
