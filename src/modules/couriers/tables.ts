/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['courier_jobs'] as const;
