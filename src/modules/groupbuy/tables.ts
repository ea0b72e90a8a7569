import type { Generated } from 'kysely';
import type { Int8, Json } from '../../platform/db/schema';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = [
  'groupbuy_leaders',
  'groupbuy_campaigns',
  'groupbuy_items',
  'groupbuy_customer_units',
  'groupbuy_orders',
  'groupbuy_shipments',
] as const;

export interface ShipmentLine {
  order_id: string;
  sku: string;
  qty: number;
}

export interface GroupbuyLeadersTable {
  id: string;
  customer_id: string;
  location_id: string;
  display_name: string;
  commission_bp: number;
  status: Generated<'active' | 'inactive'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface GroupbuyCampaignsTable {
  id: string;
  title: string;
  location_ids: string[];
  opens_at: Date;
  cutoff_at: Date;
  pickup_date: string;
  source_location_id: string;
  closed_at: Date | null;
  shipped_at: Date | null;
  created_at: Generated<Date>;
}

export interface GroupbuyItemsTable {
  campaign_id: string;
  sku: string;
  price: Int8;
  total_limit: number | null;
  per_customer_limit: number | null;
  sold: Generated<number>;
}

export interface GroupbuyCustomerUnitsTable {
  campaign_id: string;
  sku: string;
  customer_id: string;
  qty: number;
}

export interface GroupbuyOrdersTable {
  order_id: string;
  campaign_id: string;
  leader_id: string;
  location_id: string;
  customer_id: string;
  commission_bp: number;
  placed_at: Generated<Date>;
}

export interface GroupbuyShipmentsTable {
  id: string;
  campaign_id: string;
  location_id: string;
  source_location_id: string;
  order_ids: string[];
  lines: Json<ShipmentLine[]>;
  shipped_at: Generated<Date>;
  received_at: Date | null;
}

declare module '../../platform/db/schema' {
  interface DB {
    groupbuy_leaders: GroupbuyLeadersTable;
    groupbuy_campaigns: GroupbuyCampaignsTable;
    groupbuy_items: GroupbuyItemsTable;
    groupbuy_customer_units: GroupbuyCustomerUnitsTable;
    groupbuy_orders: GroupbuyOrdersTable;
    groupbuy_shipments: GroupbuyShipmentsTable;
  }
}
