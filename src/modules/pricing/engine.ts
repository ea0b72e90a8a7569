import type { CheckoutCoupon } from '../loyalty/coupons/service';
import { allocate } from './allocate';

/**
 * The checkout price of an order, the same engine for every channel (`POST /v1/quote` and
 * `POST /v1/orders`). Pure: everything it needs is passed in, so it is easy to test exhaustively.
 *
 * Steps, in order: list price × qty (the same for every customer); coupons (percent off first,
 * then amount off, threshold and gift in the order given, free delivery last), each allocated to
 * its eligible lines in proportion to what is left of them; points, allocated the same way; then
 * the delivery fee. Every adjustment is explained.
 */

/** A coupon as checkout sees it: the coupons module's own description of it. */
export type EngineCoupon = CheckoutCoupon;
export type CouponKind = CheckoutCoupon['kind'];

export interface EngineLine {
  sku: string;
  name: string;
  category: string;
  qty: number;
  unit_price: number;
  /** Why promotions on this SKU are paused (low stock), or null. */
  paused: string | null;
}

export interface EngineInput {
  lines: EngineLine[];
  /** Coupons as the request listed them (index = position in coupon_codes), usable or not. */
  coupons: {
    index: number;
    code: string;
    coupon: EngineCoupon | null;
    problem?: { reason: string; message: string };
  }[];
  points: { requested: number; balance: number | null; per_yuan: number; cap_percent: number };
  delivery: { fee: number; free_from: number } | null;
}

export interface QuoteLine {
  line_no: number;
  sku: string;
  name: string;
  category: string;
  qty: number;
  unit_price: number;
  subtotal: number;
  coupon_discount: number;
  points_used: number;
  points_discount: number;
  discount: number;
  amount: number;
}

export interface CouponOutcome {
  code: string;
  template_id: string | null;
  name: string | null;
  kind: CouponKind | null;
  applied: boolean;
  discount: number;
  lines: number[];
  reason?: string;
  message?: string;
}

export interface Adjustment {
  type: 'coupon' | 'points' | 'delivery_fee' | 'promotion_paused';
  code?: string;
  amount: number;
  lines?: number[];
  /** English explanation; `reason` and `params` let a console word it in its own language. */
  description: string;
  reason: 'promotion_paused' | 'coupon' | 'coupon_free_delivery' | 'delivery_free_from' | 'delivery_fee' | 'points';
  params: Record<string, string | number>;
}

/** Something that makes `POST /v1/orders` refuse the request as it is (the quote still prices the rest). */
export interface QuoteIssue {
  status: 409 | 422;
  code: string;
  field: string;
  message: string;
}

export interface Quote {
  lines: QuoteLine[];
  coupons: CouponOutcome[];
  points: {
    requested: number;
    applied: number;
    value: number;
    balance: number | null;
    max_usable: number;
    step: number;
  };
  adjustments: Adjustment[];
  totals: {
    subtotal: number;
    coupon_discount: number;
    points_discount: number;
    discount: number;
    delivery_fee: number;
    total: number;
    points_used: number;
  };
  issues: QuoteIssue[];
}

const KIND_ORDER: Record<CouponKind, number> = {
  percent_off: 0,
  amount_off: 1,
  threshold: 1,
  gift: 1,
  free_delivery: 2,
};

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function eligible(c: EngineCoupon, l: EngineLine): boolean {
  if (c.kind === 'gift') return l.sku === c.gift_sku;
  if (c.skus && !c.skus.includes(l.sku)) return false;
  if (c.categories && !c.categories.includes(l.category)) return false;
  return true;
}

function couponDiscount(c: EngineCoupon, base: number, lines: QuoteLine[], idx: number[]): number {
  switch (c.kind) {
    case 'percent_off': {
      const d = Math.floor((base * c.value) / 100);
      return c.cap !== null ? Math.min(d, c.cap) : d;
    }
    case 'amount_off':
    case 'threshold':
      return Math.min(c.value, base);
    case 'gift':
      return Math.min(lines[idx[0]].unit_price, lines[idx[0]].amount);
    default:
      return 0;
  }
}

/** Prices an order. */
export function price(input: EngineInput): Quote {
  const lines: QuoteLine[] = input.lines.map((l, i) => {
    const subtotal = l.unit_price * l.qty;
    return {
      line_no: i + 1,
      sku: l.sku,
      name: l.name,
      category: l.category,
      qty: l.qty,
      unit_price: l.unit_price,
      subtotal,
      coupon_discount: 0,
      points_used: 0,
      points_discount: 0,
      discount: 0,
      amount: subtotal,
    };
  });
  const adjustments: Adjustment[] = [];
  const issues: QuoteIssue[] = [];
  const outcomes: CouponOutcome[] = [];

  const paused = input.lines.map((l, i) => ({ l, i })).filter((x) => x.l.paused);
  for (const { l, i } of paused)
    adjustments.push({
      type: 'promotion_paused',
      reason: 'promotion_paused',
      params: { sku: l.sku },
      amount: 0,
      lines: [i + 1],
      description: `promotions on ${l.sku} are paused (${l.paused}): no coupon applies to it`,
    });

  // Unusable codes first: they are explained and make the order refuse them.
  for (const c of input.coupons) {
    if (c.coupon) continue;
    const reason = c.problem?.reason ?? 'not_found';
    outcomes.push({
      code: c.code,
      template_id: null,
      name: null,
      kind: null,
      applied: false,
      discount: 0,
      lines: [],
      reason,
      message: c.problem?.message ?? 'unknown coupon',
    });
    issues.push({
      status: reason === 'already_redeemed' ? 409 : 422,
      code: reason === 'already_redeemed' ? 'coupon_already_redeemed' : `coupon_${reason}`,
      field: `coupon_codes[${c.index}]`,
      message: c.problem?.message ?? 'unknown coupon',
    });
  }

  const usable = input.coupons
    .filter((c) => c.coupon)
    .sort((a, b) => KIND_ORDER[a.coupon!.kind] - KIND_ORDER[b.coupon!.kind] || a.index - b.index);
  let deliveryFee = 0;
  let freeDeliveryCoupon: { index: number; coupon: EngineCoupon } | null = null;
  const templatesUsed = new Set<string>();
  let appliedCount = 0;
  let exclusive: string | null = null;

  const refuse = (index: number, c: EngineCoupon, reason: string, message: string) => {
    outcomes.push({
      code: c.code,
      template_id: c.template_id,
      name: c.name,
      kind: c.kind,
      applied: false,
      discount: 0,
      lines: [],
      reason,
      message,
    });
    issues.push({ status: 422, code: `coupon_${reason}`, field: `coupon_codes[${index}]`, message });
  };

  for (const { index, coupon: c } of usable as { index: number; coupon: EngineCoupon }[]) {
    if (exclusive) {
      refuse(index, c, 'not_stackable', `cannot be combined with ${exclusive}, which does not stack`);
      continue;
    }
    if (!c.stackable && appliedCount > 0) {
      refuse(index, c, 'not_stackable', `${c.name} does not stack with other coupons`);
      continue;
    }
    if (templatesUsed.has(c.template_id)) {
      refuse(index, c, 'same_template', `only one coupon of "${c.name}" per order`);
      continue;
    }
    if (c.kind === 'free_delivery') {
      if (freeDeliveryCoupon) {
        refuse(index, c, 'not_stackable', 'one free-delivery coupon per order');
        continue;
      }
      freeDeliveryCoupon = { index, coupon: c }; // decided once the goods amount is known
      templatesUsed.add(c.template_id);
      appliedCount++;
      if (!c.stackable) exclusive = c.code;
      continue;
    }
    const scoped = lines.map((l, i) => i).filter((i) => eligible(c, input.lines[i]));
    const idx = scoped.filter((i) => !input.lines[i].paused && lines[i].amount > 0);
    if (idx.length === 0) {
      const why = scoped.length > 0 ? 'promotion_paused' : 'no_eligible_lines';
      refuse(
        index,
        c,
        why,
        why === 'promotion_paused'
          ? `promotions on ${scoped.map((i) => lines[i].sku).join(', ')} are paused (low stock)`
          : c.kind === 'gift'
            ? `the gift ${c.gift_sku} is not in the basket`
            : 'no line of the order is eligible',
      );
      continue;
    }
    const base = idx.reduce((t, i) => t + lines[i].amount, 0);
    if (base < c.min_spend) {
      refuse(
        index,
        c,
        'min_spend_not_met',
        `needs ${yuan(c.min_spend)} of eligible goods, the basket has ${yuan(base)}`,
      );
      continue;
    }
    const discount = couponDiscount(c, base, lines, idx);
    const giftIdx = c.kind === 'gift' ? [idx[0]] : idx;
    const parts = allocate(
      discount,
      giftIdx.map((i) => lines[i].amount),
    );
    giftIdx.forEach((i, k) => {
      lines[i].coupon_discount += parts[k];
      lines[i].amount -= parts[k];
    });
    const skipped = scoped.filter((i) => input.lines[i].paused);
    outcomes.push({
      code: c.code,
      template_id: c.template_id,
      name: c.name,
      kind: c.kind,
      applied: true,
      discount,
      lines: giftIdx.map((i) => i + 1),
    });
    adjustments.push({
      type: 'coupon',
      reason: 'coupon',
      params: { name: c.name, amount: discount, not_on: skipped.map((i) => lines[i].sku).join(', ') },
      code: c.code,
      amount: -discount,
      lines: giftIdx.map((i) => i + 1),
      description:
        `${c.name}: −${yuan(discount)}` +
        (skipped.length ? ` (not on ${skipped.map((i) => lines[i].sku).join(', ')}: promotion paused)` : ''),
    });
    templatesUsed.add(c.template_id);
    appliedCount++;
    if (!c.stackable) exclusive = c.code;
  }

  const goods = lines.reduce((t, l) => t + l.amount, 0);
  if (input.delivery) {
    deliveryFee = goods >= input.delivery.free_from ? 0 : input.delivery.fee;
    if (deliveryFee === 0)
      adjustments.push({
        type: 'delivery_fee',
        reason: 'delivery_free_from',
        params: { free_from: input.delivery.free_from },
        amount: 0,
        description: `delivery free from ${yuan(input.delivery.free_from)}`,
      });
  }
  if (freeDeliveryCoupon) {
    const { index, coupon: c } = freeDeliveryCoupon;
    if (!input.delivery) refuse(index, c, 'no_delivery_fee', 'the order has no delivery');
    else if (deliveryFee === 0) refuse(index, c, 'no_delivery_fee', 'delivery is already free for this order');
    else if (goods < c.min_spend)
      refuse(index, c, 'min_spend_not_met', `needs ${yuan(c.min_spend)} of goods, the basket has ${yuan(goods)}`);
    else {
      outcomes.push({
        code: c.code,
        template_id: c.template_id,
        name: c.name,
        kind: c.kind,
        applied: true,
        discount: deliveryFee,
        lines: [],
      });
      adjustments.push({
        type: 'coupon',
        reason: 'coupon_free_delivery',
        params: { name: c.name, fee: deliveryFee },
        code: c.code,
        amount: -deliveryFee,
        description: `${c.name}: delivery fee ${yuan(deliveryFee)} waived`,
      });
      deliveryFee = 0;
    }
  } else if (input.delivery && deliveryFee > 0) {
    adjustments.push({
      type: 'delivery_fee',
      reason: 'delivery_fee',
      params: { fee: deliveryFee },
      amount: deliveryFee,
      description: `delivery fee ${yuan(deliveryFee)}`,
    });
  }
  // Coupons appear in the order the request listed them.
  const order = new Map(input.coupons.map((c) => [c.code, c.index]));
  outcomes.sort((a, b) => (order.get(a.code) ?? 0) - (order.get(b.code) ?? 0));

  const points = pricePoints(input.points, lines, goods, issues, adjustments);

  for (const l of lines) l.discount = l.coupon_discount + l.points_discount;
  const sum = (f: (l: QuoteLine) => number) => lines.reduce((t, l) => t + f(l), 0);
  const totals = {
    subtotal: sum((l) => l.subtotal),
    coupon_discount: sum((l) => l.coupon_discount),
    points_discount: sum((l) => l.points_discount),
    discount: sum((l) => l.discount),
    delivery_fee: deliveryFee,
    total: sum((l) => l.amount) + deliveryFee,
    points_used: points.applied,
  };
  return { lines, coupons: outcomes, points, adjustments, totals, issues };
}

/** Points: value = points × 100 / per_yuan fen, at most cap_percent of the goods after coupons, never more than the balance. */
function pricePoints(
  p: EngineInput['points'],
  lines: QuoteLine[],
  goods: number,
  issues: QuoteIssue[],
  adjustments: Adjustment[],
): Quote['points'] {
  // Points are spent in steps worth a whole fen (100 points = 1 CNY → 1 point = 1 fen).
  const step = p.per_yuan / gcd(p.per_yuan, 100);
  const maxValue = Math.floor((goods * p.cap_percent) / 100);
  const maxByCap = Math.floor((maxValue * p.per_yuan) / 100 / step) * step;
  const maxUsable = p.balance === null ? 0 : Math.min(maxByCap, Math.floor(p.balance / step) * step);
  const out = { requested: p.requested, applied: 0, value: 0, balance: p.balance, max_usable: maxUsable, step };
  if (p.requested === 0) return out;
  if (p.balance === null) {
    issues.push({
      status: 422,
      code: 'points_need_customer',
      field: 'points',
      message: 'points can only be spent by a known customer',
    });
    return out;
  }
  if (p.requested % step !== 0)
    issues.push({
      status: 422,
      code: 'invalid_points',
      field: 'points',
      message: `points are spent in steps of ${step}`,
    });
  else if (p.requested > p.balance)
    issues.push({
      status: 422,
      code: 'insufficient_points',
      field: 'points',
      message: `the balance is ${p.balance} points`,
    });
  else if (p.requested > maxByCap)
    issues.push({
      status: 422,
      code: 'points_cap_exceeded',
      field: 'points',
      message: `at most ${maxByCap} points (${p.cap_percent}% of the goods) on this order`,
    });
  const applied = Math.min(Math.floor(p.requested / step) * step, maxUsable);
  if (applied === 0) return out;
  const value = (applied * 100) / p.per_yuan;
  const weights = lines.map((l) => l.amount);
  const values = allocate(value, weights);
  const counts = allocate(applied, weights);
  lines.forEach((l, i) => {
    l.points_discount = values[i];
    l.points_used = counts[i];
    l.amount -= values[i];
  });
  adjustments.push({
    type: 'points',
    reason: 'points',
    params: { points: applied, amount: value },
    amount: -value,
    description: `${applied} points: −${yuan(value)}`,
  });
  return { ...out, applied, value };
}
