import type { ColumnType, Generated } from 'kysely';

/** int8 and numeric arrive as strings from both backends; callers convert with Number(). */
export type Int8 = ColumnType<string, number | bigint | string, number | bigint | string>;
/** An int8 column with a database default (bigserial or DEFAULT 0). */
export type Int8Default = ColumnType<string, number | bigint | string | undefined, number | bigint | string>;
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  location_id: string | null;
  channel: string | null;
  key_hash: string;
  key_prefix: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  scopes: Generated<string[]>;
}

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  display_name: string;
  role: string;
  location_id: string | null;
  password_hash: string;
  password_changed_at: Generated<Date>;
  disabled_at: Date | null;
  failed_logins: Generated<number>;
  first_failed_at: Date | null;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Generated<Date>;
}

export interface UserSessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface IdempotencyKeysTable {
  api_key_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number | null;
  response_body: string | null;
  created_at: Generated<Date>;
  completed_at: Date | null;
}

export interface OutboxTable {
  id: Int8Default;
  aggregate_type: string;
  aggregate_id: string;
  type: string;
  payload: Json<Record<string, unknown>>;
  occurred_at: Generated<Date>;
  dispatched_at: Date | null;
}

export interface WebhooksTable {
  id: string;
  url: string;
  events: string[];
  secret: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface WebhookDeliveriesTable {
  id: Int8Default;
  webhook_id: string;
  outbox_id: Int8;
  aggregate_id: string;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  delivered_at: Date | null;
}

export interface LocationsTable {
  id: string;
  name: string;
  type: 'dc' | 'store' | 'dark_store';
  lat: number;
  lng: number;
  timezone: Generated<string>;
  address: string | null;
  opening_hours: Json<Record<string, [string, string][]> | null> | null;
  can_ship: boolean;
  can_pickup: boolean;
  local_delivery_km: number | null;
  status: Generated<'active' | 'closed'>;
  created_at: Generated<Date>;
}

export interface ProductsTable {
  sku: string;
  name: string;
  category: string;
  list_price: Int8;
  /** unit cost in fen, optional (catalog migration 2051) */
  cost_price: ColumnType<string | null, number | null | undefined, number | null>;
  /** the barcode printed on the pack, optional and unique (catalog migration 2321) */
  barcode: ColumnType<string | null, string | null | undefined, string | null>;
  channels: string[];
  attributes: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StockTable {
  location_id: string;
  sku: string;
  on_hand: number;
  reserved: Generated<number>;
  safety_stock: Generated<number>;
  updated_at: Generated<Date>;
}

export interface StockMovementsTable {
  id: Int8Default;
  location_id: string;
  sku: string;
  delta: number;
  reason: string;
  ref: string | null;
  created_at: Generated<Date>;
}

export interface CustomersTable {
  id: string;
  created_at: Generated<Date>;
  first_channel: string | null;
  data_key: Buffer | null;
  pii: Buffer | null;
  traits: Json<Record<string, unknown>>;
  merged_into: string | null;
  erased_at: Date | null;
  root_id: string | null;
  kind: Generated<string>;
  trait_seen: ColumnType<Record<string, string>, string | undefined, string>;
  updated_at: Generated<Date>;
}

export interface CustomerMergesTable {
  id: string;
  from_id: string;
  into_id: string;
  channel: string | null;
  linked_by: string[];
  changes: Buffer | null;
  created_at: Generated<Date>;
  undone_at: Date | null;
}

export interface CustomerTagsTable {
  customer_id: string;
  tag: string;
  source: Generated<string>;
  created_at: Generated<Date>;
}

export interface CustomerIdentifiersTable {
  customer_id: string;
  type: string;
  value_hash: string;
  value_enc: Buffer | null;
  masked: string;
  strong: boolean;
  first_seen: Generated<Date>;
  last_seen: Generated<Date>;
  /** How it was verified (otp, wechat_login, member_card_scan, self_asserted); null: written before that was recorded. */
  verified_by: Generated<string | null>;
}

export interface CustomerEventsTable {
  event_id: string;
  type: string;
  occurred_at: Timestamp;
  channel: string;
  customer_id: string | null;
  anonymous_id: string | null;
  location_id: string | null;
  properties: Json<Record<string, unknown>>;
  received_at: Generated<Date>;
}

export interface OrdersTable {
  id: string;
  channel: string;
  customer_id: string | null;
  location_id: string | null;
  fulfillment_type: string;
  status: string;
  currency: Generated<string>;
  subtotal: Int8;
  discount_total: Int8Default;
  delivery_fee: Int8Default;
  total: Int8;
  placed_at: Timestamp;
  paid_at: Timestamp | null;
  note: string | null;
  speed: string | null;
  delivery_lat: number | null;
  delivery_lng: number | null;
  address_enc: Buffer | null;
  address_key: Buffer | null;
  routing: Json<Record<string, unknown>> | null;
  pickup_code: string | null;
  reserved_until: Timestamp | null;
  payment_ref: string | null;
  /** cash, wechat_pay, alipay or bank_card (orders migration 2320); null when not told */
  payment_method: ColumnType<string | null, string | null | undefined, string | null>;
  refunded_total: Int8Default;
  updated_at: Generated<Date>;
  coupon_discount: Int8Default;
  points_used: Int8Default;
  points_discount: Int8Default;
  pricing: Json<Record<string, unknown>> | null;
}

export interface OrderLinesTable {
  order_id: string;
  line_no: number;
  sku: string;
  qty: number;
  unit_price: Int8;
  discount: Int8Default;
  amount: Int8;
  returned_qty: Generated<number>;
  coupon_discount: Int8Default;
  points_used: Int8Default;
  points_discount: Int8Default;
}

export interface StockReservationsTable {
  id: Int8Default;
  order_id: string;
  fulfillment_id: string;
  location_id: string;
  sku: string;
  qty: number;
  status: Generated<string>;
  expires_at: Timestamp | null;
  created_at: Generated<Date>;
  closed_at: Timestamp | null;
}

/** A product's own low-stock threshold at every location (inventory migration 2322). */
export interface LowStockRulesTable {
  sku: string;
  threshold: number;
  updated_at: Generated<Date>;
}

export interface StockAlertsTable {
  sku: string;
  region: string;
  state: string;
  available: number;
  threshold: number;
  changed_at: Generated<Date>;
}

export interface PromotionPausesTable {
  sku: string;
  region: string;
  reason: string;
  paused_at: Generated<Date>;
  resumed_at: Timestamp | null;
}

export interface FulfillmentsTable {
  id: string;
  order_id: string;
  location_id: string;
  type: string;
  speed: string | null;
  status: string;
  eta: Timestamp | null;
  courier: string | null;
  courier_job_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface FulfillmentLinesTable {
  fulfillment_id: string;
  sku: string;
  qty: number;
}

export interface FulfillmentEventsTable {
  id: Int8Default;
  fulfillment_id: string;
  type: string;
  at: Timestamp;
  source: string;
}

export interface OrderReturnsTable {
  id: string;
  order_id: string;
  location_id: string;
  reason: string;
  refund_amount: Int8;
  created_at: Generated<Date>;
}

export interface OrderReturnLinesTable {
  return_id: string;
  sku: string;
  qty: number;
  amount: Int8;
}

export interface CourierJobsTable {
  id: string;
  fulfillment_id: string;
  adapter: string;
  status: Generated<string>;
  external_id: string | null;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Generated<Date>;
}

export interface MasterKeyTable {
  singleton: Generated<boolean>;
  fingerprint: string | null;
  wrapped_root: Buffer | null;
  rotating_to: string | null;
  legacy: boolean;
  recorded_at: Date | null;
  rotated_at: Date | null;
}

export interface AuditLogTable {
  id: Int8Default;
  at: Generated<Date>;
  actor_key: string | null;
  actor_role: string | null;
  action: string;
  subject: string | null;
  reason: string | null;
  details: Json<Record<string, unknown>>;
}

export interface DB {
  audit_log: AuditLogTable;
  settings: SettingsTable;
  master_key: MasterKeyTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  idempotency_keys: IdempotencyKeysTable;
  outbox: OutboxTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  locations: LocationsTable;
  products: ProductsTable;
  stock: StockTable;
  stock_movements: StockMovementsTable;
  customers: CustomersTable;
  customer_identifiers: CustomerIdentifiersTable;
  customer_events: CustomerEventsTable;
  customer_merges: CustomerMergesTable;
  customer_tags: CustomerTagsTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  stock_reservations: StockReservationsTable;
  stock_alerts: StockAlertsTable;
  low_stock_rules: LowStockRulesTable;
  promotion_pauses: PromotionPausesTable;
  fulfillments: FulfillmentsTable;
  fulfillment_lines: FulfillmentLinesTable;
  fulfillment_events: FulfillmentEventsTable;
  order_returns: OrderReturnsTable;
  order_return_lines: OrderReturnLinesTable;
  courier_jobs: CourierJobsTable;
}
