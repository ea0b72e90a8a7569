/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['locations'] as const;
