import type { Selectable } from 'kysely';
import type { Channel } from '../../../platform/auth/roles';
import type { CouponKind, CouponsTable, CouponTemplatesTable } from './tables';

export type TemplateRow = Selectable<CouponTemplatesTable>;
export type CouponRow = Selectable<CouponsTable>;

export type CouponProblem =
  | 'not_found'
  | 'not_yours'
  | 'already_redeemed'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_channel'
  | 'wrong_location'
  | 'void';

/** What checkout needs of a coupon (the contract's CheckoutCoupon). */
export interface CheckoutCoupon {
  code: string;
  template_id: string;
  name: string;
  kind: CouponKind;
  /** amount_off/threshold: fen off; percent_off: percent 1..100; gift and free_delivery: 0. */
  value: number;
  /** percent_off: most fen off. */
  cap: number | null;
  /** fen the eligible lines must reach (threshold: the X of 满X减Y). */
  min_spend: number;
  /** gift: one unit of this SKU becomes free when it is in the basket. */
  gift_sku: string | null;
  /** null = every line. */
  skus: string[] | null;
  categories: string[] | null;
  stackable: boolean;
}

/** The coupon's scope: `scopeSku` (a coupon issued for one SKU) narrows it to that SKU's lines. */
export function toCheckoutCoupon(code: string, t: TemplateRow, scopeSku: string | null = null): CheckoutCoupon {
  return {
    code,
    template_id: t.id,
    name: t.name,
    kind: t.kind,
    value: Number(t.value),
    cap: t.cap === null ? null : Number(t.cap),
    min_spend: Number(t.min_spend),
    gift_sku: t.gift_sku,
    skus: scopeSku === null ? t.skus : [scopeSku],
    categories: scopeSku === null ? t.categories : null,
    stackable: t.stackable,
  };
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
export { iso };

/** The stores a coupon is usable at: the one it was issued for (scope_location), else its template's (null: any). */
export const locationsOf = (c: Pick<CouponRow, 'scope_location'>, t: Pick<TemplateRow, 'locations'>) =>
  c.scope_location === null ? t.locations : [c.scope_location];

/**
 * Why this coupon cannot be used now in this channel and store, or null when it can. A
 * location-restricted coupon (its template's list, or the one store it was issued for) needs a
 * location of its list: without a location it is refused for `pos` and for checkout;
 * `channel`/`location` null means "any" (a wallet overview).
 */
export function usability(
  c: Pick<CouponRow, 'status' | 'valid_from' | 'valid_to' | 'scope_location'>,
  t: Pick<TemplateRow, 'channels' | 'locations'>,
  channel: Channel | null,
  location: string | null,
  now: Date,
  opts: { locationRequired?: boolean } = {},
): { reason: CouponProblem; message: string } | null {
  if (c.status === 'redeemed') return { reason: 'already_redeemed', message: 'the coupon has already been redeemed' };
  if (c.status === 'void') return { reason: 'void', message: 'the coupon was voided' };
  if (c.status === 'expired' || (c.valid_to !== null && new Date(c.valid_to).getTime() <= now.getTime()))
    return { reason: 'expired', message: `the coupon expired at ${iso(c.valid_to)}` };
  if (new Date(c.valid_from).getTime() > now.getTime())
    return { reason: 'not_yet_valid', message: `the coupon is valid from ${iso(c.valid_from)}` };
  if (channel !== null && !t.channels.includes(channel))
    return { reason: 'wrong_channel', message: `the coupon is for ${t.channels.join(', ')}, not ${channel}` };
  const locations = locationsOf(c, t);
  if (locations !== null) {
    if (location !== null && !locations.includes(location))
      return { reason: 'wrong_location', message: `the coupon is for the stores ${locations.join(', ')} only` };
    if (location === null && (opts.locationRequired || channel === 'pos'))
      return { reason: 'wrong_location', message: `the coupon is for the stores ${locations.join(', ')} only` };
  }
  return null;
}

/** The basket the wallet ranks coupons against: 100 CNY, or the coupon's minimum spend if higher. */
export const TYPICAL_BASKET = 10000;
/** What free delivery is worth when ranking: the standard delivery fee (fen). */
export const TYPICAL_DELIVERY_FEE = 600;

/**
 * What a coupon is worth on a typical basket (fen), for "best first": amount_off and threshold
 * their value; percent_off its percent of max(100 CNY, min_spend), capped; free_delivery the
 * standard delivery fee; gift the gift's list price.
 */
export function typicalValue(c: CheckoutCoupon, giftPrice: number): number {
  const basket = Math.max(TYPICAL_BASKET, c.min_spend);
  switch (c.kind) {
    case 'amount_off':
    case 'threshold':
      return c.value;
    case 'percent_off': {
      const off = Math.floor((basket * c.value) / 100);
      return c.cap === null ? off : Math.min(off, c.cap);
    }
    case 'free_delivery':
      return TYPICAL_DELIVERY_FEE;
    case 'gift':
      return giftPrice;
  }
}
