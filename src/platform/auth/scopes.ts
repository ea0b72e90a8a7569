import type { Channel, Role } from './roles';

/**
 * What a key may do beyond its role: a route that names a scope needs the key to hold it. Every
 * key has scopes; roles other than integration get them all by default (their role list is the
 * limit), integration keys get their channel's defaults and an admin may grant or narrow.
 */
export const SCOPES = [
  'orders', // place, read, pay, cancel and return orders (and their fulfilments) of the key's channel
  'stock', // write stock: movements and counts (a WMS or POS stock sync, never a sales default)
  'customers', // identify, record consent, bind referrals
  'events', // send behaviour events
  'loyalty:read', // wallets, points, referrals, validate a coupon code
  'loyalty:redeem', // redeem a coupon (integration keys: for an order of their channel)
  'coupons:claim', // a customer claims a coupon in the app, mini-program or web shop
  'coupons:issue', // issue a coupon to any customer (marketing journeys)
  'points:earn', // points for an act the loyalty rules define
  'identity:trusted', // link identifiers to existing members without a one-time code (logins that verify the phone)
] as const;
export type Scope = (typeof SCOPES)[number];

const SALES: readonly Scope[] = ['orders', 'customers', 'events'];
const LOGIN: readonly Scope[] = [...SALES, 'loyalty:read', 'loyalty:redeem', 'coupons:claim', 'identity:trusted'];
const CHANNEL_DEFAULTS: Record<Channel, readonly Scope[]> = {
  app: LOGIN,
  mini_program: LOGIN,
  web: LOGIN,
  pos: [...SALES, 'loyalty:read', 'loyalty:redeem'],
  group_buy: SALES,
};

/** The scopes a new key gets when its creator names none. */
export function defaultScopes(role: Role, channel: Channel | null): Scope[] {
  if (role === 'integration') return [...CHANNEL_DEFAULTS[channel ?? 'app']];
  return [...SCOPES];
}
