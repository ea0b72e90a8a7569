import type { Role } from './roles';
import type { Scope } from './scopes';

/**
 * Who may call what: every route of the API × every role. This table is the documentation of
 * the authorization layer (src/platform/auth/policy.ts) and the data of
 * authorization.matrix.test.ts, which fails when a route of /docs/json is missing here and calls
 * every route with a key of every role, on their own and on another store's or channel's resource.
 *
 * - `yes`: allowed, on any resource.
 * - `own`: store staff only on their store's orders, fulfilments and stock (an order is a store's
 *   when it was sold or is fulfilled there); integration keys only on their channel's orders and
 *   fulfilments. Another's is 403.
 * - `scope`: integration keys only when granted `scope`, which their channel does not get by default.
 * - a role not listed: 403, before the body is read (a bad body does not turn it into a 400).
 *
 * The integration column is an `app` key with its defaults (orders, customers, events,
 * loyalty:read, loyalty:redeem, coupons:claim, identity:trusted). Other roles hold every scope unless an admin
 * created the key with fewer. Checks that need the body (a channel or store named in it) come
 * after validation and are listed in `note`.
 *
 * Customers and coupons belong to no store or channel (One ID: a member is everyone's), so role
 * and scope decide: an integration key reads wallets, points and referrals with loyalty:read (app,
 * mini-program, web and POS keys by default, not group-buy), and redeems a coupon only for an
 * order of its channel placed by the coupon's owner.
 */
export type Access = 'yes' | 'own' | 'scope';

export interface Rule {
  who: Partial<Record<Role, Access>>;
  /** The scope the key must hold. */
  scope?: Scope;
  note?: string;
}

const ALL: Rule['who'] = {
  admin: 'yes',
  marketer: 'yes',
  analyst: 'yes',
  support: 'yes',
  store_staff: 'yes',
  integration: 'yes',
};
const ADMIN: Rule = { who: { admin: 'yes' } };
const PEOPLE: Rule['who'] = { admin: 'yes', support: 'yes', store_staff: 'yes', marketer: 'yes', analyst: 'yes' };
const LOYALTY_READ: Rule = {
  who: { admin: 'yes', support: 'yes', store_staff: 'yes', marketer: 'yes', integration: 'yes' },
  scope: 'loyalty:read',
};
const TEMPLATE_READ: Rule = { who: { admin: 'yes', marketer: 'yes', analyst: 'yes', support: 'yes' } };
const MARKETING: Rule = { who: { admin: 'yes', marketer: 'yes' } };
const RFM_READ: Rule = { who: { admin: 'yes', marketer: 'yes', analyst: 'yes' } };
const TAGS: Rule = { who: { admin: 'yes', marketer: 'yes', support: 'yes' } };
const ORDER_READ: Rule = {
  who: { admin: 'yes', analyst: 'yes', support: 'yes', store_staff: 'own', integration: 'own' },
  scope: 'orders',
};
const FULFILMENT: Rule = {
  who: { admin: 'yes', support: 'yes', store_staff: 'own', integration: 'own' },
  scope: 'orders',
};

const SUPPLY_READ: Rule['who'] = { admin: 'yes', analyst: 'yes', support: 'yes', store_staff: 'yes' };
const SUPPLY_PLAN: Rule['who'] = { admin: 'yes', analyst: 'yes', store_staff: 'yes' };
const SUPPLY_WRITE: Rule['who'] = { admin: 'yes', store_staff: 'yes' };
const APPOINTMENTS: Rule = {
  who: { admin: 'yes', support: 'yes', store_staff: 'yes' },
  note: "store staff: their own store's appointments only (another's: 403, checked after the appointment is read)",
};

export const MATRIX: Record<string, Rule | 'public'> = {
  // platform
  'GET /health': 'public',
  'POST /v1/api-keys': ADMIN,
  'GET /v1/api-keys': ADMIN,
  'GET /v1/me': { who: ALL },
  'DELETE /v1/api-keys/{id}': ADMIN,
  'POST /v1/users': ADMIN,
  'GET /v1/users': ADMIN,
  'GET /v1/users/{id}': ADMIN,
  'PATCH /v1/users/{id}': ADMIN,
  'POST /v1/auth/login': 'public',
  'POST /v1/auth/logout': 'public',
  'GET /v1/auth/me': { who: ALL },
  'POST /v1/webhooks': ADMIN,
  'GET /v1/webhooks': ADMIN,
  'DELETE /v1/webhooks/{id}': ADMIN,
  'GET /v1/audit': ADMIN,
  'GET /v1/security/alerts': ADMIN,
  'POST /v1/security/alerts/{id}/clear': ADMIN,
  'GET /v1/security/settings': ADMIN,
  'PUT /v1/security/settings': ADMIN,

  // goods: locations, catalog, stock
  'POST /v1/locations': ADMIN,
  'GET /v1/locations': { who: ALL },
  'GET /v1/locations/nearby': { who: ALL },
  'GET /v1/locations/{id}': { who: ALL },
  'PATCH /v1/locations/{id}': ADMIN,
  'POST /v1/products': ADMIN,
  'GET /v1/products': { who: ALL },
  'PUT /v1/products/{sku}': ADMIN,
  'GET /v1/products/{sku}': { who: ALL },
  // reviews: buyers post through their channel's app (or support for them); the summary is public
  'POST /v1/products/{sku}/reviews': {
    who: { admin: 'yes', support: 'yes', integration: 'yes' },
    note: 'only the buyer of the SKU on that order (422 not_a_buyer)',
  },
  'GET /v1/products/{sku}/reviews': 'public',
  'GET /v1/reviews': { who: { admin: 'yes', marketer: 'yes', support: 'yes' } },
  'GET /v1/settings/shelf-page': { who: { admin: 'yes', marketer: 'yes', support: 'yes' } },
  'PUT /v1/settings/shelf-page': ADMIN,
  'PATCH /v1/reviews/{id}': { who: { admin: 'yes', marketer: 'yes', support: 'yes' } },
  'GET /v1/stock/low': { who: ALL },
  'GET /v1/stock/low-stock-policy': { who: ALL },
  'GET /v1/stock/low/locations': { who: ALL },
  'GET /v1/stock/low-stock-rules': { who: ALL },
  'PUT /v1/stock/low-stock-rules/{sku}': ADMIN,
  'DELETE /v1/stock/low-stock-rules/{sku}': ADMIN,
  'GET /v1/stock/totals': { who: ALL },
  'GET /v1/locations/{id}/stock': { who: ALL },
  'PUT /v1/stock/low-stock-policy': ADMIN,
  'GET /v1/stock/movements': { who: ALL },
  'POST /v1/stock/movements': {
    who: { admin: 'yes', store_staff: 'yes', integration: 'scope' },
    scope: 'stock',
    note: 'store staff: location_id of their store (403 otherwise)',
  },
  'PUT /v1/stock/{location_id}/{sku}': {
    who: { admin: 'yes', store_staff: 'own', integration: 'scope' },
    scope: 'stock',
  },
  'GET /v1/stock/{sku}': { who: ALL },
  // supply (issue 18): store staff on their own store's side (checked with the transfer or body)
  'POST /v1/transfers': { who: SUPPLY_WRITE, note: 'store staff: from or to their store (403 otherwise)' },
  'GET /v1/transfers': { who: SUPPLY_READ, note: "store staff: their store's transfers only" },
  'GET /v1/transfers/{id}': { who: SUPPLY_READ, note: 'store staff: 403 on another store’s' },
  'POST /v1/transfers/{id}/ship': { who: SUPPLY_WRITE, note: 'store staff: of the source (403 otherwise)' },
  'POST /v1/transfers/{id}/receive': { who: SUPPLY_WRITE, note: 'store staff: of the destination (403 otherwise)' },
  'GET /v1/replenishment/policy': { who: SUPPLY_PLAN },
  'PUT /v1/replenishment/policy': ADMIN,
  'GET /v1/replenishment/suggestions': {
    who: SUPPLY_PLAN,
    note: 'store staff: location_id of their store (403 otherwise)',
  },
  'GET /v1/replenishment/transfer-suggestions': {
    who: SUPPLY_PLAN,
    note: 'store staff: location_id of their store (403 otherwise)',
  },
  'POST /v1/replenishment/campaign-stock-up': { who: { admin: 'yes', analyst: 'yes' } },
  'POST /v1/transfers/{id}/cancel': { who: SUPPLY_WRITE, note: 'store staff: of either side (403 otherwise)' },

  // people
  'POST /v1/verifications': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'customers',
  },
  'POST /v1/identify': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'customers',
    note: 'integration: channel of the key (403 otherwise)',
  },
  'GET /v1/traits': { who: ALL },
  'POST /v1/traits': ADMIN,
  'GET /v1/customers': { who: PEOPLE, note: 'q (search by contact data): admin, support, store staff only' },
  'GET /v1/customers/lookup': { who: { admin: 'yes', support: 'yes', store_staff: 'yes' } },
  'GET /v1/customers/{id}': { who: PEOPLE },
  'DELETE /v1/customers/{id}': ADMIN,
  'POST /v1/customers/{id}/unmerge': { who: { admin: 'yes', support: 'yes' } },
  'PUT /v1/customers/{id}/tags/{tag}': TAGS,
  'DELETE /v1/customers/{id}/tags/{tag}': TAGS,
  'PUT /v1/customers/{id}/consents/{purpose}': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'customers',
    note: 'integration: channel of the key',
  },
  'GET /v1/customers/{id}/consents': { who: PEOPLE },
  'POST /v1/customers/{id}/reveal': { who: { admin: 'yes', support: 'yes' } },
  'POST /v1/events': {
    who: { admin: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'events',
    note: "integration: events of the key's channel; store staff: of their store",
  },
  'GET /v1/customers/{id}/timeline': { who: PEOPLE },

  // orders and fulfilment
  'POST /v1/orders': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'orders',
    note: "integration: the key's channel; store staff: sales at their store",
  },
  'GET /v1/orders': {
    who: { admin: 'yes', analyst: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'orders',
    note: "store staff: their store's orders only; integration: their channel's (another channel asked for: 403)",
  },
  'GET /v1/orders/{id}': { ...ORDER_READ, note: 'pickup_code: admin and the owning channel only' },
  'POST /v1/orders/{id}/pay': { who: { admin: 'yes', store_staff: 'own', integration: 'own' }, scope: 'orders' },
  'POST /v1/orders/{id}/cancel': {
    who: { admin: 'yes', support: 'yes', store_staff: 'own', integration: 'own' },
    scope: 'orders',
  },
  'POST /v1/orders/{id}/returns': {
    who: { admin: 'yes', support: 'yes', store_staff: 'own', integration: 'own' },
    scope: 'orders',
  },
  'GET /v1/orders/{id}/returns': ORDER_READ,
  'GET /v1/fulfillments': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes' },
    note: "store staff: their store's queue only",
  },
  'GET /v1/fulfillments/{id}': FULFILMENT,
  'POST /v1/fulfillments/{id}/events': FULFILMENT,
  'POST /v1/fulfillments/{id}/collect': { who: { admin: 'yes', store_staff: 'own' }, scope: 'orders' },
  'POST /v1/couriers/{adapter}/callback': 'public',
  'POST /v1/quote': { who: { admin: 'yes', marketer: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' } },

  // loyalty
  'GET /v1/customers/{id}/points': LOYALTY_READ,
  'GET /v1/customers/{id}/wallet': LOYALTY_READ,
  'GET /v1/customers/{id}/offers': {
    who: { admin: 'yes', marketer: 'yes', store_staff: 'yes' },
    note: 'store staff: offers at their own store (another location_id: 403)',
  },
  'GET /v1/customers/{id}/referrals': LOYALTY_READ,
  'POST /v1/customers/{id}/referrals': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'customers',
  },
  'POST /v1/points/adjust': { who: { admin: 'yes', support: 'yes' } },
  'POST /v1/points/earn': {
    who: { admin: 'yes', integration: 'scope' },
    scope: 'points:earn',
    note: 'acts of the rules only, capped per customer and day; points (a number): admin only',
  },
  'GET /v1/loyalty/rules': MARKETING,
  'PUT /v1/loyalty/rules': ADMIN,
  'GET /v1/loyalty/tiers': MARKETING,
  'PUT /v1/loyalty/tiers': ADMIN,
  'POST /v1/coupon-templates': MARKETING,
  'GET /v1/coupon-templates': TEMPLATE_READ,
  'GET /v1/coupon-templates/{id}': TEMPLATE_READ,
  'PATCH /v1/coupon-templates/{id}': MARKETING,
  'POST /v1/coupons/issue': { who: { admin: 'yes', marketer: 'yes', integration: 'scope' }, scope: 'coupons:issue' },
  'POST /v1/coupons/claim': {
    who: { admin: 'yes', integration: 'yes' },
    scope: 'coupons:claim',
    note: 'integration: app, mini_program and web keys, for their channel',
  },
  'GET /v1/coupons': { who: { admin: 'yes', support: 'yes', store_staff: 'yes', marketer: 'yes' } },
  'GET /v1/coupons/{code}': LOYALTY_READ,
  'POST /v1/coupons/{code}/redeem': {
    who: { admin: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'loyalty:redeem',
    note: "integration: order_ref is an order of the key's channel whose customer owns the coupon; store staff: channel pos at their store",
  },

  // analytics
  'GET /v1/analytics/dashboard': {
    who: { admin: 'yes', analyst: 'yes', marketer: 'yes', store_staff: 'yes', support: 'yes' },
  },
  'GET /v1/analytics/sales': {
    who: { admin: 'yes', analyst: 'yes', marketer: 'yes', store_staff: 'yes', support: 'yes' },
    note: "store staff: their own store's figures only (location_id is ignored)",
  },
  'GET /v1/analytics/customers': { who: { admin: 'yes', analyst: 'yes', marketer: 'yes', support: 'yes' } },
  'GET /v1/analytics/cohorts': { who: { admin: 'yes', analyst: 'yes', marketer: 'yes', support: 'yes' } },
  'GET /v1/analytics/stores': {
    who: { admin: 'yes', analyst: 'yes', marketer: 'yes', store_staff: 'yes', support: 'yes' },
    note: "store staff: their own store's row only",
  },
  'GET /v1/stores/{id}/scorecard': {
    who: { admin: 'yes', analyst: 'yes', marketer: 'yes', store_staff: 'own', support: 'yes' },
  },

  // messaging: marketing message channels, quiet hours and cap, the message log
  'PUT /v1/message-channels/{channel}': ADMIN,
  'GET /v1/message-channels': ADMIN,
  'GET /v1/settings/messaging': MARKETING,
  'PUT /v1/settings/messaging': ADMIN,
  'GET /v1/messages': MARKETING,

  // settlements: stores' revenue share
  'GET /v1/settings/revenue-share': { who: { admin: 'yes', analyst: 'yes', store_staff: 'yes' } },
  'PUT /v1/settings/revenue-share': ADMIN,
  'GET /v1/settlements': {
    who: { admin: 'yes', analyst: 'yes', store_staff: 'yes' },
    note: "store staff: their own store's row only",
  },
  'GET /v1/settlements/{period}/{location_id}': { who: { admin: 'yes', analyst: 'yes', store_staff: 'own' } },
  'POST /v1/settlements/{period}/close': ADMIN,
  'GET /v1/analytics/coupons': { who: { admin: 'yes', analyst: 'yes', marketer: 'yes' } },
  'GET /v1/analytics/inventory': {
    who: { admin: 'yes', analyst: 'yes', marketer: 'yes', store_staff: 'yes', support: 'yes' },
    note: "store staff: their own store's figures only (location_id is ignored)",
  },

  // forecasts: demand forecasts and the events calendar
  'POST /v1/forecasts/runs': { who: { admin: 'yes', analyst: 'yes' } },
  'GET /v1/forecasts/runs/{id}': { who: { admin: 'yes', marketer: 'yes', analyst: 'yes', store_staff: 'yes' } },
  'GET /v1/forecasts': {
    who: { admin: 'yes', marketer: 'yes', analyst: 'yes', store_staff: 'yes' },
    note: "store staff: their own store's forecast only (location_id is ignored)",
  },
  'GET /v1/forecast-events': { who: { admin: 'yes', marketer: 'yes', analyst: 'yes', store_staff: 'yes' } },
  'POST /v1/forecast-events': MARKETING,
  'PUT /v1/forecast-events/{id}': MARKETING,
  'DELETE /v1/forecast-events/{id}': MARKETING,

  // audiences: RFM
  'POST /v1/rfm/runs': MARKETING,
  'GET /v1/rfm/runs/{id}': RFM_READ,
  'GET /v1/rfm/segments': RFM_READ,
  'GET /v1/rfm/customers': RFM_READ,
  'GET /v1/rfm/grid': RFM_READ,
  'GET /v1/rfm/schedule': RFM_READ,
  'PUT /v1/rfm/schedule': MARKETING,
  // clv: lifetime value
  'POST /v1/clv/runs': RFM_READ,
  'GET /v1/clv/runs/{id}': RFM_READ,
  'GET /v1/clv/customers': RFM_READ,
  'GET /v1/clv/schedule': RFM_READ,
  'PUT /v1/clv/schedule': MARKETING,
  // segments
  'POST /v1/segments/preview': RFM_READ,
  'POST /v1/segments': MARKETING,
  'GET /v1/segments': RFM_READ,
  'GET /v1/segments/{id}': RFM_READ,
  'PUT /v1/segments/{id}': MARKETING,
  'DELETE /v1/segments/{id}': MARKETING,
  'GET /v1/segments/{id}/members': RFM_READ,
  // appointments and footfall
  'GET /v1/locations/{id}/services': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', marketer: 'yes', integration: 'yes' },
  },
  'PUT /v1/locations/{id}/services': { who: { admin: 'yes', store_staff: 'own' } },
  'POST /v1/appointments': { ...APPOINTMENTS, note: 'store staff: at their own store (another location_id: 403)' },
  'GET /v1/appointments/{id}': APPOINTMENTS,
  'POST /v1/appointments/{id}/reschedule': APPOINTMENTS,
  'POST /v1/appointments/{id}/cancel': APPOINTMENTS,
  'POST /v1/appointments/{id}/complete': APPOINTMENTS,
  'GET /v1/locations/{id}/appointments': {
    who: { admin: 'yes', support: 'yes', marketer: 'yes', analyst: 'yes', store_staff: 'own' },
  },
  'POST /v1/stores/{id}/footfall': { who: { admin: 'yes', store_staff: 'own', integration: 'yes' }, scope: 'events' },
  // pre-sales (issue 17)
  'POST /v1/presales': MARKETING,
  'GET /v1/presales': { who: PEOPLE },
  'GET /v1/presales/{id}': { who: PEOPLE },
  'POST /v1/presales/{id}/launch': MARKETING,
  'GET /v1/presales/{id}/demand': { who: PEOPLE },
  'POST /v1/presales/{id}/reservations': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'orders',
    note: 'store staff: at their own store (another location_id: 403)',
  },
  'GET /v1/presales/{id}/reservations': {
    who: { admin: 'yes', marketer: 'yes', support: 'yes', store_staff: 'yes' },
    note: "store staff: their own store's reservations (another location_id: 403)",
  },
  'POST /v1/presales/{id}/reservations/{reservation_id}/pay': {
    who: { admin: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'orders',
    note: "store staff: their own store's reservations (another's: 403)",
  },
  'POST /v1/presales/{id}/reservations/{reservation_id}/cancel': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes', integration: 'yes' },
    scope: 'orders',
    note: "store staff: their own store's reservations (another's: 403)",
  },
  'POST /v1/presales/{id}/reservations/{reservation_id}/convert': {
    who: { admin: 'yes', store_staff: 'yes' },
    scope: 'orders',
    note: "store staff: their own store's reservations (another's: 403)",
  },

  // journeys
  'POST /v1/journeys': MARKETING,
  'GET /v1/journeys': RFM_READ,
  'GET /v1/journeys/{id}': RFM_READ,
  'POST /v1/journeys/{id}/activate': MARKETING,
  'POST /v1/journeys/{id}/pause': MARKETING,
  'POST /v1/journeys/{id}/archive': MARKETING,
  'GET /v1/journeys/{id}/report': RFM_READ,
  // computed tags
  'POST /v1/tags': MARKETING,
  'GET /v1/tags': RFM_READ,
  'GET /v1/tags/{name}': RFM_READ,
  'PUT /v1/tags/{name}': MARKETING,
  'DELETE /v1/tags/{name}': MARKETING,
  // community group-buy: leaders, campaigns, shipments to pickup points, hand-over lists
  'POST /v1/group-buy/leaders': MARKETING,
  'GET /v1/group-buy/leaders': { who: PEOPLE, note: "store staff: their own store's leaders only" },
  'GET /v1/group-buy/leaders/{id}': {
    who: PEOPLE,
    note: "store staff: their own store's leaders only (404 otherwise)",
  },
  'PATCH /v1/group-buy/leaders/{id}': MARKETING,
  'GET /v1/group-buy/leaders/{id}/commission': RFM_READ,
  'POST /v1/group-buy/campaigns': MARKETING,
  'GET /v1/group-buy/campaigns': { who: PEOPLE },
  'GET /v1/group-buy/campaigns/{id}': { who: PEOPLE },
  'POST /v1/group-buy/campaigns/{id}/ship': ADMIN,
  'POST /v1/group-buy/campaigns/{id}/receipts': {
    who: { admin: 'yes', store_staff: 'yes' },
    note: 'store staff: only for their own store (location_id in the body; 403 otherwise)',
  },
  'GET /v1/group-buy/pickups': {
    who: { admin: 'yes', support: 'yes', store_staff: 'yes' },
    note: "store staff: their own store's list only (location_id; 403 otherwise)",
  },
};
