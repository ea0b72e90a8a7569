import type { Generated } from 'kysely';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['transfers', 'transfer_lines'] as const;

export const TRANSFER_STATUSES = ['requested', 'shipped', 'received', 'cancelled'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];
export const TRANSFER_ORIGINS = ['manual', 'replenishment', 'rebalance', 'campaign'] as const;
export type TransferOrigin = (typeof TRANSFER_ORIGINS)[number];

export interface TransfersTable {
  id: string;
  from_location_id: string;
  to_location_id: string;
  status: Generated<TransferStatus>;
  origin: Generated<TransferOrigin>;
  note: string | null;
  requested_at: Generated<Date>;
  shipped_at: Date | null;
  received_at: Date | null;
  cancelled_at: Date | null;
}

export interface TransferLinesTable {
  transfer_id: string;
  sku: string;
  qty: number;
}

declare module '../../platform/db/schema' {
  interface DB {
    transfers: TransfersTable;
    transfer_lines: TransferLinesTable;
  }
}
