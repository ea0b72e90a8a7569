import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, proportionalShare } from './allocate';
import { price, type EngineCoupon, type EngineInput, type EngineLine } from './engine';

const line = (sku: string, unit_price: number, qty: number, extra: Partial<EngineLine> = {}): EngineLine => ({
  sku,
  name: sku,
  category: 'food',
  qty,
  unit_price,
  paused: null,
  ...extra,
});
const coupon = (
  code: string,
  kind: EngineCoupon['kind'],
  value: number,
  extra: Partial<EngineCoupon> = {},
): EngineCoupon => ({
  code,
  template_id: `tpl_${code}`,
  name: code,
  kind,
  value,
  cap: null,
  min_spend: 0,
  gift_sku: null,
  skus: null,
  categories: null,
  stackable: true,
  ...extra,
});
const NO_POINTS = { requested: 0, balance: null, per_yuan: 100, cap_percent: 50 };
const input = (lines: EngineLine[], coupons: EngineCoupon[] = [], extra: Partial<EngineInput> = {}): EngineInput => ({
  lines,
  coupons: coupons.map((c, index) => ({ index, code: c.code, coupon: c })),
  points: NO_POINTS,
  delivery: null,
  ...extra,
});

describe('allocate', () => {
  it('splits exactly, in proportion, deterministic on ties', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(10, [300, 100])).toEqual([8, 2]);
    expect(allocate(0, [5, 5])).toEqual([0, 0]);
  });

  it('always sums to the total and never gives a part more than its weight', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (weights, f) => {
          const sum = weights.reduce((t, w) => t + w, 0);
          const total = Math.floor(sum * f);
          const parts = allocate(total, weights);
          expect(parts.reduce((t, p) => t + p, 0)).toBe(sum === 0 ? 0 : total);
          parts.forEach((p, i) => expect(p).toBeLessThanOrEqual(weights[i]));
          parts.forEach((p) => expect(p).toBeGreaterThanOrEqual(0));
        },
      ),
    );
  });

  it('proportional shares over any return sequence add up to the whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }),
        (amount, steps) => {
          const qty = steps.reduce((t, s) => t + s, 0);
          let done = 0;
          let sum = 0;
          for (const k of steps) {
            sum += proportionalShare(amount, qty, done, k);
            done += k;
          }
          expect(sum).toBe(amount);
        },
      ),
    );
  });
});

describe('price', () => {
  it('is list price × qty without coupons, with the delivery fee under the threshold', () => {
    const q = price(input([line('A', 1990, 2)], [], { delivery: { fee: 600, free_from: 9900 } }));
    expect(q.totals).toMatchObject({ subtotal: 3980, discount: 0, delivery_fee: 600, total: 4580 });
    expect(q.adjustments.map((a) => a.type)).toEqual(['delivery_fee']);
  });

  it('applies percent off before amount off, allocates to lines and explains each', () => {
    const q = price(
      input(
        [line('A', 1000, 1), line('B', 3000, 1)],
        [coupon('AMT', 'amount_off', 500), coupon('PCT', 'percent_off', 10)],
      ),
    );
    // 10% of 4000 = 400 (A 100, B 300), then 500 off 3600 → A 125, B 375
    expect(q.lines.map((l) => l.coupon_discount)).toEqual([225, 675]);
    expect(q.totals.total).toBe(3100);
    expect(q.coupons.map((c) => [c.code, c.applied, c.discount])).toEqual([
      ['AMT', true, 500],
      ['PCT', true, 400],
    ]);
    expect(q.issues).toEqual([]);
  });

  it('caps percent off and enforces the threshold of 满减', () => {
    const q = price(input([line('A', 10_000, 1)], [coupon('P', 'percent_off', 50, { cap: 2000 })]));
    expect(q.totals.coupon_discount).toBe(2000);
    const t = price(input([line('A', 9000, 1)], [coupon('T', 'threshold', 2000, { min_spend: 9900 })]));
    expect(t.coupons[0]).toMatchObject({ applied: false, reason: 'min_spend_not_met' });
    expect(t.issues[0]).toMatchObject({ status: 422, code: 'coupon_min_spend_not_met', field: 'coupon_codes[0]' });
    expect(t.totals.total).toBe(9000);
  });

  it('limits a coupon to its SKUs or categories', () => {
    const q = price(
      input(
        [line('A', 1000, 1, { category: 'fresh' }), line('B', 1000, 1, { category: 'home' })],
        [coupon('C', 'amount_off', 300, { categories: ['home'] })],
      ),
    );
    expect(q.lines.map((l) => l.coupon_discount)).toEqual([0, 300]);
  });

  it('refuses to stack a non-stackable coupon and a second coupon of one template', () => {
    const q = price(
      input(
        [line('A', 10_000, 1)],
        [coupon('X', 'amount_off', 100, { stackable: false }), coupon('Y', 'amount_off', 100)],
      ),
    );
    expect(q.coupons.map((c) => [c.code, c.applied, c.reason])).toEqual([
      ['X', true, undefined],
      ['Y', false, 'not_stackable'],
    ]);
    const same = price(
      input(
        [line('A', 10_000, 1)],
        [coupon('X1', 'amount_off', 100, { template_id: 't' }), coupon('X2', 'amount_off', 100, { template_id: 't' })],
      ),
    );
    expect(same.coupons[1]).toMatchObject({ applied: false, reason: 'same_template' });
  });

  it('does not apply coupons to SKUs whose promotions are paused, and says why', () => {
    const q = price(
      input(
        [line('A', 1000, 1, { paused: 'online stock 2 below 5 in region all' }), line('B', 1000, 1)],
        [coupon('C', 'amount_off', 400)],
      ),
    );
    expect(q.lines.map((l) => l.coupon_discount)).toEqual([0, 400]);
    expect(q.adjustments.find((a) => a.type === 'promotion_paused')?.description).toMatch(/A are paused/);
    const only = price(input([line('A', 1000, 1, { paused: 'low' })], [coupon('C', 'amount_off', 400)]));
    expect(only.coupons[0]).toMatchObject({ applied: false, reason: 'promotion_paused' });
  });

  it('gives one unit of the gift SKU free', () => {
    const q = price(input([line('G', 500, 3), line('B', 1000, 1)], [coupon('GIFT', 'gift', 0, { gift_sku: 'G' })]));
    expect(q.lines[0].coupon_discount).toBe(500);
    expect(q.totals.total).toBe(2000);
  });

  it('waives the delivery fee with a free-delivery coupon, and keeps the coupon when delivery is free anyway', () => {
    const q = price(
      input([line('A', 1000, 1)], [coupon('FD', 'free_delivery', 0)], { delivery: { fee: 900, free_from: 9900 } }),
    );
    expect(q.totals.delivery_fee).toBe(0);
    expect(q.coupons[0]).toMatchObject({ applied: true, discount: 900 });
    const free = price(
      input([line('A', 10_000, 1)], [coupon('FD', 'free_delivery', 0)], { delivery: { fee: 900, free_from: 9900 } }),
    );
    expect(free.coupons[0]).toMatchObject({ applied: false, reason: 'no_delivery_fee' });
  });

  it('spends points after coupons, capped at half the goods, allocated exactly', () => {
    const q = price(
      input([line('A', 1000, 1), line('B', 2000, 1)], [coupon('C', 'amount_off', 1000)], {
        points: { requested: 1000, balance: 5000, per_yuan: 100, cap_percent: 50 },
      }),
    );
    expect(q.points).toMatchObject({ applied: 1000, value: 1000, max_usable: 1000 });
    expect(q.lines.map((l) => l.points_used)).toEqual([334, 666]);
    expect(q.totals.total).toBe(1000);
    const over = price(
      input([line('A', 1000, 1)], [], { points: { requested: 600, balance: 5000, per_yuan: 100, cap_percent: 50 } }),
    );
    expect(over.issues[0]).toMatchObject({ code: 'points_cap_exceeded', field: 'points' });
    expect(over.points.applied).toBe(500);
    const short = price(
      input([line('A', 1000, 1)], [], { points: { requested: 300, balance: 200, per_yuan: 100, cap_percent: 50 } }),
    );
    expect(short.issues[0]).toMatchObject({ code: 'insufficient_points' });
    const anon = price(
      input([line('A', 1000, 1)], [], { points: { requested: 100, balance: null, per_yuan: 100, cap_percent: 50 } }),
    );
    expect(anon.issues[0]).toMatchObject({ code: 'points_need_customer' });
  });

  it('spends points in whole-fen steps when the rate is not 100 per yuan', () => {
    const q = price(
      input([line('A', 1000, 1)], [], { points: { requested: 251, balance: 1000, per_yuan: 200, cap_percent: 50 } }),
    );
    expect(q.points.step).toBe(2);
    expect(q.issues[0]).toMatchObject({ code: 'invalid_points' });
  });

  it('keeps every invariant for any basket, coupon set and points', () => {
    const arbLine = fc.record({
      sku: fc.constantFrom('A', 'B', 'C', 'D'),
      unit_price: fc.integer({ min: 0, max: 100_000 }),
      qty: fc.integer({ min: 1, max: 20 }),
      category: fc.constantFrom('food', 'home'),
      paused: fc.option(fc.constant('low'), { freq: 5 }),
    });
    const arbCoupon = fc.record({
      kind: fc.constantFrom('amount_off', 'percent_off', 'threshold', 'free_delivery', 'gift') as fc.Arbitrary<
        EngineCoupon['kind']
      >,
      value: fc.integer({ min: 1, max: 100 }),
      scale: fc.integer({ min: 1, max: 500 }),
      min_spend: fc.integer({ min: 0, max: 50_000 }),
      stackable: fc.boolean(),
      categories: fc.option(fc.constant(['home'] as string[]), { freq: 3 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbLine, { minLength: 1, maxLength: 6, selector: (l) => l.sku }),
        fc.array(arbCoupon, { maxLength: 4 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.boolean(),
        (ls, cs, requested, balance, delivery) => {
          const coupons = cs.map((c, i) =>
            coupon(`K${i}`, c.kind, c.kind === 'percent_off' ? c.value : c.value * c.scale, {
              min_spend: c.kind === 'threshold' ? c.value * c.scale + c.min_spend : c.min_spend,
              stackable: c.stackable,
              categories: c.categories,
              gift_sku: c.kind === 'gift' ? 'A' : null,
            }),
          );
          const q = price(
            input(
              ls.map((l) => line(l.sku, l.unit_price, l.qty, { category: l.category, paused: l.paused })),
              coupons,
              {
                points: { requested, balance, per_yuan: 100, cap_percent: 50 },
                delivery: delivery ? { fee: 900, free_from: 9900 } : null,
              },
            ),
          );
          for (const l of q.lines) {
            expect(l.amount).toBeGreaterThanOrEqual(0);
            expect(l.subtotal - l.coupon_discount - l.points_discount).toBe(l.amount);
            expect(l.discount).toBe(l.coupon_discount + l.points_discount);
            if (ls[l.line_no - 1].paused) expect(l.coupon_discount).toBe(0);
          }
          expect(q.totals.total).toBe(q.totals.subtotal - q.totals.discount + q.totals.delivery_fee);
          expect(q.totals.points_discount).toBe(q.points.value);
          expect(q.points.applied).toBeLessThanOrEqual(balance);
          expect(q.points.value * 2).toBeLessThanOrEqual(q.totals.subtotal - q.totals.coupon_discount);
          expect(q.coupons).toHaveLength(coupons.length);
          const applied = q.coupons.filter((c) => c.applied);
          if (applied.some((c) => !coupons.find((k) => k.code === c.code)!.stackable)) expect(applied).toHaveLength(1);
          expect(
            q.coupons
              .filter((c) => !c.applied)
              .map((c) => c.code)
              .sort(),
          ).toEqual(
            q.issues
              .filter((i) => i.field.startsWith('coupon_codes'))
              .map((i) => coupons[Number(i.field.slice(13, -1))].code)
              .sort(),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
