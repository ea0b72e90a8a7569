/** A small client for the Santong REST API: bearer key, JSON in and out, one error type. */

import { allOf, type Answer, type RequestBody } from './contract';
import type { paths } from './generated/api';

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
  /** How many match over all pages, from lists that count (customers). */
  total?: number;
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
    return new ApiError(
      res.status,
      typeof e.code === 'string' ? e.code : 'error',
      e.message,
      typeof e.field === 'string' ? e.field : undefined,
    );
  }
  return new ApiError(res.status, 'http_error', `HTTP ${res.status} ${res.statusText}`.trim());
}

/**
 * The credential of a console signed in with username and password: the browser holds the
 * httpOnly session cookie, so requests carry no key, send the cookie (same origin) and the header
 * the API requires of cookie writes (CSRF). API keys start with `st_`, so none is this.
 */
export const COOKIE_SESSION = 'cookie-session';
const CSRF_HEADER = 'x-santong-console';

/** Headers and fetch options that authenticate with this credential (a key, or the session cookie). */
export function authOf(key: string): { headers: Record<string, string>; credentials: RequestCredentials } {
  if (key === COOKIE_SESSION) return { headers: { [CSRF_HEADER]: '1' }, credentials: 'same-origin' };
  return { headers: { authorization: `Bearer ${key}` }, credentials: 'same-origin' };
}

/** One call to the API with this key. Throws ApiError for any non-2xx answer and for network failures (status 0). */
export async function request<T>(
  key: string,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  extraHeaders?: Record<string, string>,
): Promise<T> {
  const auth = authOf(key);
  const headers: Record<string, string> = {
    ...extraHeaders,
    ...auth.headers,
    accept: 'application/json',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: auth.credentials,
    });
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
  patch<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

/** A client bound to one key; a 401 (key revoked meanwhile) calls onUnauthorized before the error is thrown. */
export function createApi(key: string, onUnauthorized: () => void): Api {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<T> => {
    try {
      return await request<T>(key, method, path, body, signal, headers);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      throw err;
    }
  };
  return {
    get: (path, query, signal) => call('GET', withQuery(path, query), undefined, signal),
    post: (path, body, opts) =>
      call(
        'POST',
        path,
        body,
        undefined,
        opts?.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : undefined,
      ),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
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

/** POST /v1/auth/login: sets the session cookie; throws ApiError (401 wrong username or password, 429 locked). */
export async function loginWithPassword(username: string, password: string): Promise<void> {
  await request<unknown>(COOKIE_SESSION, 'POST', '/v1/auth/login', { username, password });
}

/** POST /v1/auth/logout: revokes the session and clears the cookie (errors ignored: signing out goes on). */
export async function logoutSession(): Promise<void> {
  try {
    await request<unknown>(COOKIE_SESSION, 'POST', '/v1/auth/logout');
  } catch {
    // the session may be gone already
  }
}

// ---- Shapes of the answers the console reads: from the API contract (./contract) ----

export type ChannelCode = NonNullable<RequestBody<'/v1/api-keys', 'post'>['channel']>;
export const CHANNELS = allOf<ChannelCode>()(['app', 'mini_program', 'web', 'pos', 'group_buy']);

export type Dashboard = Answer<'/v1/analytics/dashboard'>;
export type Period = Dashboard['today'];

export type Order = Answer<'/v1/orders'>['items'][number];
/** GET /v1/orders/:id: the order with what routing decided and where it is being fulfilled. */
export type OrderDetail = Answer<'/v1/orders/{id}'>;
export type Allocation = OrderDetail['allocations'][number];
export type Routing = NonNullable<OrderDetail['routing']>;
/** Values of a routing reason or why-not code (the console words them from i18n). */
export type RoutingParams = NonNullable<Routing['reason_params']>;
export type OrderReturn = Answer<'/v1/orders/{id}/returns', 'post'>;

export type Fulfilment = Answer<'/v1/fulfillments/{id}'>;

/** GET /v1/customers: one row; identifiers are masked (null for roles that may not see them). */
export type Customer = Answer<'/v1/customers'>['items'][number];
/** GET /v1/customers/:id: the 360° profile (a merged-away id answers with its survivor and merged_into). */
export type Profile = Answer<'/v1/customers/{id}'>;
/** One identifier of a profile: `value` for admins, `masked` for support and store staff, neither for the others. */
export type IdentifierView = Profile['identifiers'][number];
export type Merge = Profile['merges'][number];

/** GET /v1/customers/:id/consents */
export type Consents = Answer<'/v1/customers/{id}/consents'>;
/** The consent in force for one purpose; at, channel and source are null when none was ever recorded. */
export type ConsentState = Consents['consents'][number];
export const CONSENT_PURPOSES = allOf<ConsentPurpose>()([
  'marketing_sms',
  'marketing_wechat',
  'marketing_push',
  'marketing_email',
  'personalization',
  'analytics',
]);
type ConsentPurpose = NonNullable<
  paths['/v1/customers/{id}/consents/{purpose}']['put']
>['parameters']['path']['purpose'];

/** coupon: issued, claimed and redeemed coupons (loyalty). */
export const TIMELINE_KINDS = ['order', 'event', 'merge', 'consent', 'coupon'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
/** One moment of GET /v1/customers/:id/timeline, newest first. */
export type TimelineItem = Answer<'/v1/customers/{id}/timeline'>['items'][number];

/** POST /v1/customers/:id/reveal */
export type Revealed = Answer<'/v1/customers/{id}/reveal', 'post'>;

/** GET /v1/audit: one entry of the audit log. */
export type AuditEntry = Answer<'/v1/audit'>['items'][number];

export type Product = Answer<'/v1/products/{sku}'>;
export type Stock = Answer<'/v1/stock/{sku}'>;
export type StockLevel = Stock['locations'][number];
export type StockMovement = Answer<'/v1/stock/movements'>['items'][number];
export type MovementReason = RequestBody<'/v1/stock/movements', 'post'>['reason'];
export const MOVEMENT_REASONS = allOf<MovementReason>()([
  'sale',
  'receipt',
  'adjustment',
  'count',
  'transfer_in',
  'transfer_out',
  'return',
  'damage',
]);
export type LowStockItem = Answer<'/v1/stock/low'>['items'][number];
export type LowStockPolicy = Answer<'/v1/stock/low-stock-policy'>;

export type NearbyStore = Answer<'/v1/locations/nearby'>['items'][number];
export type Location = Answer<'/v1/locations/{id}'>;

export type Role = RequestBody<'/v1/api-keys', 'post'>['role'];
export const ROLES = allOf<Role>()(['admin', 'marketer', 'store_staff', 'support', 'analyst', 'integration']);
/** GET /v1/me: who the signed-in key is. */
export type Me = Answer<'/v1/me'>;
export type ApiKey = Answer<'/v1/api-keys'>['items'][number];

/** GET /v1/security/alerts: one alert (kind bulk_access or pickup_code_guessing; details as the server raised it). */
export type SecurityAlert = Answer<'/v1/security/alerts'>['items'][number];
export type SecuritySettings = Answer<'/v1/security/settings'>;
export type BulkAccessMode = SecuritySettings['bulk_access_mode'];
export const BULK_ACCESS_MODES = allOf<BulkAccessMode>()(['alert', 'block']);
/** GET /v1/traits: one declared trait, built-in or custom. */
export type TraitDefinition = Answer<'/v1/traits'>['items'][number];
export type TraitDeclaration = RequestBody<'/v1/traits', 'post'>;
export const TRAIT_CLASSIFICATIONS = allOf<TraitDeclaration['classification']>()(['pii', 'plain']);
export const TRAIT_TYPES = allOf<NonNullable<TraitDeclaration['type']>>()(['string', 'number', 'boolean', 'date']);
/** POST /v1/identify: linked false and pending_verification when a link needs the member's one-time code. */
export type Identified = Answer<'/v1/identify', 'post'>;
export type IdentifyRequest = RequestBody<'/v1/identify', 'post'>;
export type IdentifierType = IdentifyRequest['identifiers'][number]['type'];
export type VerificationType = RequestBody<'/v1/verifications', 'post'>['type'];
export type Verification = Answer<'/v1/verifications', 'post'>;
