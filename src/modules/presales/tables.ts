import type { ColumnType } from 'kysely';
import type { Int8, Int8Default, Timestamp } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['presales', 'presale_reservations'] as const;

export const PRESALE_STATUSES = ['open', 'launched'] as const;
export const RESERVATION_STATUSES = ['pending_payment', 'reserved', 'converting', 'converted', 'cancelled'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export interface PresalesTable {
  id: string;
  sku: string;
  title: string;
  launch_at: Timestamp;
  deposit: Int8;
  per_customer_limit: number;
  status: (typeof PRESALE_STATUSES)[number];
  coupon_template_id: string | null;
  launched_at: Timestamp | null;
  created_at: Timestamp;
}

export interface PresaleReservationsTable {
  id: string;
  presale_id: string;
  customer_id: string;
  location_id: string;
  qty: number;
  deposit: Int8;
  status: ReservationStatus;
  payment_ref: string | null;
  payment_method: string | null;
  paid_at: Timestamp | null;
  coupon_code: string | null;
  order_id: string | null;
  /** The channel it was made in (app, mini_program, ..., pos at a till). */
  channel: ColumnType<string, string | undefined, string>;
  /** The deposit given back when it was cancelled, fen. */
  refunded: Int8Default;
  cancelled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/schema' {
  interface DB {
    presales: PresalesTable;
    presale_reservations: PresaleReservationsTable;
  }
}
