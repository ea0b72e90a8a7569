/** A small client for the Santong REST API: bearer key, JSON in and out, one error type. */

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Query = Record<string, string | number | null | undefined>;

/** `/v1/orders` + {channel: 'pos', cursor: undefined} → `/v1/orders?channel=pos` (empty values are left out). */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function readError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall back to the status line
  }
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  if (e && typeof e.message === 'string') {
    return new ApiError(res.status, typeof e.code === 'string' ? e.code : 'error', e.message, typeof e.field === 'string' ? e.field : undefined);
  }
  return new ApiError(res.status, 'http_error', `HTTP ${res.status} ${res.statusText}`.trim());
}

/** One call to the API with this key. Throws ApiError for any non-2xx answer and for network failures (status 0). */
export async function request<T>(key: string, method: string, path: string, body?: unknown, signal?: AbortSignal, extraHeaders?: Record<string, string>): Promise<T> {
  const headers: Record<string, string> = { ...extraHeaders, authorization: `Bearer ${key}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) throw await readError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface Api {
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  /** idempotencyKey: sent as Idempotency-Key, so that a retried write (a double click, a lost answer) happens once. */
  post<T>(path: string, body: unknown, opts?: { idempotencyKey?: string }): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

/** A client bound to one key; a 401 (key revoked meanwhile) calls onUnauthorized before the error is thrown. */
export function createApi(key: string, onUnauthorized: () => void): Api {
  const call = async <T>(method: string, path: string, body?: unknown, signal?: AbortSignal, headers?: Record<string, string>): Promise<T> => {
    try {
      return await request<T>(key, method, path, body, signal, headers);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      throw err;
    }
  };
  return {
    get: (path, query, signal) => call('GET', withQuery(path, query), undefined, signal),
    post: (path, body, opts) => call('POST', path, body, undefined, opts?.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : undefined),
    put: (path, body) => call('PUT', path, body),
    del: (path) => call('DELETE', path),
  };
}

/** Checks a key before it is stored: a 401 means it is wrong; anything else that fails is thrown. */
export async function checkKey(key: string): Promise<boolean> {
  try {
    await request<unknown>(key, 'GET', '/v1/locations');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}

// ---- Shapes of the answers the console reads ----

export type ChannelCode = 'app' | 'mini_program' | 'web' | 'pos' | 'group_buy';
export const CHANNELS: readonly ChannelCode[] = ['app', 'mini_program', 'web', 'pos', 'group_buy'];

export interface ChannelFigures {
  channel: string;
  sales: number;
  orders: number;
  customers: number;
}

export interface Period {
  from: string;
  to: string;
  totals: { sales: number; orders: number; customers: number; average_order_value: number };
  by_channel: ChannelFigures[];
}

export interface Dashboard {
  timezone: string;
  currency: string;
  today: Period;
  last_30_days: Period;
  daily: { date: string; channel: string; sales: number; orders: number }[];
}

export interface OrderLine {
  line_no: number;
  sku: string;
  qty: number;
  unit_price: number;
  discount: number;
  amount: number;
}

export interface Order {
  id: string;
  channel: string;
  customer_id: string | null;
  location_id: string | null;
  fulfillment_type: string;
  status: string;
  currency: string;
  totals: { subtotal: number; discount: number; delivery_fee: number; total: number };
  placed_at: string;
  paid_at: string | null;
  lines?: OrderLine[];
}

/** GET /v1/orders/:id: the order with what routing decided and where it is being fulfilled. */
export interface OrderDetail extends Omit<Order, 'totals' | 'lines'> {
  speed: string | null;
  lines: (OrderLine & { returned_qty: number })[];
  totals: Order['totals'] & { refunded: number; coupon_discount?: number; points_discount?: number; points_used?: number };
  /** The quote's explanation kept with the order (coupons applied, every adjustment). */
  pricing?: { coupons: { code: string; name: string | null; discount: number }[]; adjustments: import('./loyalty').Adjustment[] };
  allocations: Allocation[];
  routing: Routing | null;
  pickup_code?: string;
  reserved_until?: string;
  payment_ref: string | null;
  note: string | null;
}

export interface Allocation {
  fulfillment_id: string;
  location_id: string;
  type: string;
  lines: { sku: string; qty: number }[];
  speed: string | null;
  eta: string | null;
  status: string;
}

/** Values of a routing reason or why-not code (the console words them from i18n). */
export type RoutingParams = Record<string, string | number>;

export interface RoutingCandidate {
  location_id: string;
  distance_km: number | null;
  can_fulfil: boolean;
  why_not?: string;
  why_not_code?: string;
  why_not_params?: RoutingParams;
}

export interface Routing {
  decision: string;
  reason: string;
  reason_code?: string;
  reason_params?: RoutingParams;
  strategy: string;
  candidates: RoutingCandidate[];
}

export interface FulfilmentEvent {
  type: string;
  at: string;
  source: string;
}

export interface Fulfilment {
  id: string;
  order_id: string;
  location_id: string;
  type: string;
  speed: string | null;
  status: string;
  eta: string | null;
  courier: string | null;
  lines: { sku: string; qty: number }[];
  events: FulfilmentEvent[];
  created_at: string;
}

export interface OrderReturn {
  id: string;
  order_id: string;
  location_id: string;
  reason: string;
  refund_amount: number;
  lines: { sku: string; qty: number; amount: number }[];
  created_at: string;
}

/** GET /v1/customers: one row; identifiers are masked (null for roles that may not see them). */
export interface Customer {
  id: string;
  kind: string;
  created_at: string;
  first_channel: string | null;
  traits: Record<string, unknown>;
  identifiers: { type: string; masked: string | null }[];
  tags: string[];
}

/** One identifier of a profile: `value` for admins, `masked` for support and store staff, neither for the others. */
export interface IdentifierView {
  type: string;
  value?: string;
  masked?: string;
  strong: boolean;
  first_seen: string;
  last_seen: string;
}

export const CONSENT_PURPOSES = ['marketing_sms', 'marketing_wechat', 'marketing_push', 'marketing_email', 'personalization', 'analytics'] as const;

/** The consent in force for one purpose; at, channel and source are null when none was ever recorded. */
export interface ConsentState {
  purpose: string;
  granted: boolean;
  at: string | null;
  channel: string | null;
  source: string | null;
}

export interface ConsentRecord {
  customer_id: string;
  purpose: string;
  granted: boolean;
  at: string;
  channel: string;
  source: string;
}

/** GET /v1/customers/:id/consents */
export interface Consents {
  customer_id: string;
  consents: ConsentState[];
  history: ConsentRecord[];
}

export interface Merge {
  merge_id: string;
  from: string;
  into: string;
  at: string;
  undone_at: string | null;
  linked_by: string[];
}

/** GET /v1/customers/:id: the 360° profile (a merged-away id answers with its survivor and merged_into). */
export interface Profile {
  id: string;
  requested_id?: string;
  merged_into?: string;
  kind: string;
  created_at: string;
  first_channel: string | null;
  identifiers: IdentifierView[];
  traits: Record<string, unknown>;
  tags: string[];
  consents: ConsentState[];
  stats: {
    orders: number;
    spend: number;
    by_channel: { channel: string; orders: number; spend: number; last_order_at: string | null }[];
    last_seen: { channel: string; at: string }[];
  };
  merges: Merge[];
  members: string[];
}

/** coupon: issued, claimed and redeemed coupons (loyalty). */
export const TIMELINE_KINDS = ['order', 'event', 'merge', 'consent', 'coupon'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One moment of GET /v1/customers/:id/timeline, newest first. */
export interface TimelineItem {
  kind: TimelineKind;
  at: string;
  channel?: string;
  /** The event type; merged/unmerged; the consent purpose. */
  type?: string;
  data: Record<string, unknown>;
}

/** POST /v1/customers/:id/reveal */
export interface Revealed {
  customer_id: string;
  type: string;
  values: { value: string; masked: string; first_seen: string; last_seen: string }[];
}

/** GET /v1/audit: one entry of the audit log. */
export interface AuditEntry {
  id: string;
  at: string;
  actor_key: string | null;
  actor_role: string | null;
  action: string;
  subject: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

export interface Product {
  sku: string;
  name: string;
  category: string;
  list_price: number;
  channels: string[];
  attributes: Record<string, unknown>;
  updated_at: string;
}

export interface StockLevel {
  location_id: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  available: number;
  online_available: number;
}

export interface Stock {
  sku: string;
  locations: StockLevel[];
  totals: { on_hand: number; reserved: number; available: number; online_available: number };
}

export const MOVEMENT_REASONS = ['sale', 'receipt', 'adjustment', 'count', 'transfer_in', 'transfer_out', 'return', 'damage'] as const;
export type MovementReason = (typeof MOVEMENT_REASONS)[number];

export interface StockMovement {
  id: string;
  location_id: string;
  sku: string;
  delta: number;
  reason: string;
  ref: string | null;
  created_at: string;
}

export interface LowStockItem {
  sku: string;
  region: string;
  online_available: number;
  threshold: number;
  since: string;
}

export interface LowStockPolicy {
  threshold: number;
  regions: { id: string; lat?: number; lng?: number; radius_km?: number }[];
}

export interface NearbyStore {
  location_id: string;
  type: string;
  distance_km: number;
  online_available?: number;
}

export interface Location {
  id: string;
  name: string;
  type: 'dc' | 'store' | 'dark_store';
  lat: number;
  lng: number;
  timezone: string;
  address: string | null;
  opening_hours: Record<string, [string, string][]> | null;
  capabilities: { ship: boolean; pickup: boolean; local_delivery_km: number | null };
}

export const ROLES = ['admin', 'marketer', 'store_staff', 'support', 'analyst', 'integration'] as const;
export type Role = (typeof ROLES)[number];

/** GET /v1/me: who the signed-in key is. */
export interface Me {
  key_id: string;
  name: string;
  role: Role;
  location_id: string | null;
  channel: string | null;
}

export interface ApiKey {
  id: string;
  name: string;
  role: string;
  location_id: string | null;
  channel: string | null;
  key_prefix: string;
  created_at: string;
  revoked_at: string | null;
}
