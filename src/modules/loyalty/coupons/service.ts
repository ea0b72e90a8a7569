/**
 * The coupons functions other modules call (checkout, tiers, referral, the wallet). Writes take
 * the caller's transaction and never open their own, so placing an order stays one transaction.
 */
import './tables';
import type { Channel } from '../../../platform/auth/roles';
import type { Queryable } from '../../../platform/db/database';
import { productFacts } from '../../catalog/public';
import { parseCouponCode } from './codes';
import { iso, toCheckoutCoupon, typicalValue, usability, type CheckoutCoupon, type CouponProblem } from './scope';

export type { CheckoutCoupon, CouponProblem } from './scope';
export { issueCoupon } from './issue';
export { redeemForOrder, restoreForOrder } from './redeem';

export interface CheckoutProblem {
  index: number;
  code: string;
  reason: CouponProblem;
  message: string;
}

/**
 * Loads the codes for checkout. Problems are returned, not thrown, so the quote can explain them.
 * `members` is the customer's group (null: an anonymous order, so every coupon is `not_yours`).
 * A location-restricted coupon needs `location_id` in its list. A code listed twice is a problem
 * (`already_redeemed`) the second time.
 */
export async function couponsForCheckout(
  db: Queryable,
  codes: string[],
  ctx: { members: string[] | null; channel: Channel; location_id: string | null; now: Date },
): Promise<{ usable: CheckoutCoupon[]; problems: CheckoutProblem[] }> {
  const parsed = codes.map((c) => parseCouponCode(c));
  const canonical = [...new Set(parsed.flatMap((p) => (p.ok ? [p.code] : [])))];
  const rows = canonical.length
    ? await db
        .selectFrom('coupons as c')
        .innerJoin('coupon_templates as t', 't.id', 'c.template_id')
        .selectAll('t')
        .select([
          'c.code',
          'c.customer_id',
          'c.scope_sku',
          'c.scope_location',
          'c.scope_location',
          'c.status as coupon_status',
          'c.valid_from as coupon_valid_from',
          'c.valid_to as coupon_valid_to',
        ])
        .where('c.code', 'in', canonical)
        .execute()
    : [];
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const usable: CheckoutCoupon[] = [];
  const problems: CheckoutProblem[] = [];
  const seen = new Set<string>();
  codes.forEach((code, index) => {
    const p = parsed[index];
    if (!p.ok) return problems.push({ index, code, reason: 'not_found', message: `not a coupon code: ${p.message}` });
    const r = byCode.get(p.code);
    if (!r) return problems.push({ index, code, reason: 'not_found', message: 'no such coupon' });
    if (seen.has(p.code))
      return problems.push({ index, code, reason: 'already_redeemed', message: 'the code is listed twice' });
    seen.add(p.code);
    if (!ctx.members || !ctx.members.includes(r.customer_id))
      return problems.push({
        index,
        code,
        reason: 'not_yours',
        message: ctx.members
          ? 'the coupon belongs to another customer'
          : 'a coupon needs the order to name its customer',
      });
    const why = usability(
      {
        status: r.coupon_status,
        valid_from: r.coupon_valid_from,
        valid_to: r.coupon_valid_to,
        scope_location: r.scope_location,
      },
      r,
      ctx.channel,
      ctx.location_id,
      ctx.now,
      { locationRequired: true },
    );
    if (why) return problems.push({ index, code, ...why });
    usable.push(toCheckoutCoupon(p.code, r, r.scope_sku));
  });
  return { usable, problems };
}

/**
 * The group's coupons usable now in this channel and store (status issued, within validity,
 * scope allows; channel/location null = any), best first: by what each is worth on a typical
 * basket (see `typicalValue`: 100 CNY or the coupon's minimum spend, whichever is higher),
 * then the one expiring soonest, then by code.
 */
export async function usableCoupons(
  db: Queryable,
  members: string[],
  channel: Channel | null,
  location_id: string | null,
  now: Date,
): Promise<(CheckoutCoupon & { valid_to: string | null })[]> {
  if (members.length === 0) return [];
  const rows = await db
    .selectFrom('coupons as c')
    .innerJoin('coupon_templates as t', 't.id', 'c.template_id')
    .leftJoin(productFacts.as('p'), 'p.sku', 't.gift_sku')
    .selectAll('t')
    .select([
      'c.code',
      'c.scope_sku',
      'c.scope_location',
      'c.status as coupon_status',
      'c.valid_from as coupon_valid_from',
      'c.valid_to as coupon_valid_to',
      'p.list_price as gift_price',
    ])
    .where('c.customer_id', 'in', members)
    .where('c.status', '=', 'issued')
    .where('c.valid_from', '<=', now)
    .where((eb) => eb.or([eb('c.valid_to', 'is', null), eb('c.valid_to', '>', now)]))
    .execute();
  const out = rows
    .filter(
      (r) =>
        usability(
          {
            status: r.coupon_status,
            valid_from: r.coupon_valid_from,
            valid_to: r.coupon_valid_to,
            scope_location: r.scope_location,
          },
          r,
          channel,
          location_id,
          now,
        ) === null,
    )
    .map((r) => {
      const c = toCheckoutCoupon(r.code, r, r.scope_sku);
      return {
        c: { ...c, valid_to: iso(r.coupon_valid_to) },
        worth: typicalValue(c, Number(r.gift_price ?? 0)),
        ends: r.coupon_valid_to ? new Date(r.coupon_valid_to).getTime() : Infinity,
      };
    });
  out.sort((a, b) => b.worth - a.worth || a.ends - b.ends || (a.c.code < b.c.code ? -1 : a.c.code > b.c.code ? 1 : 0));
  return out.map((x) => x.c);
}
