import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  checkSymbol,
  formatCouponCode,
  isValidCouponCode,
  newCouponCode,
  parseCouponCode,
} from './codes';

describe('coupon codes', () => {
  it('are 16 symbols of the readable alphabet, unique, and valid', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const c = newCouponCode();
      expect(c).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
      expect(isValidCouponCode(c)).toBe(true);
      seen.add(c);
    }
    expect(seen.size).toBe(5000);
  });

  it('detects every single-symbol substitution', () => {
    for (let n = 0; n < 200; n++) {
      const c = newCouponCode();
      for (let pos = 0; pos < c.length; pos++) {
        for (const sym of CODE_ALPHABET) {
          if (sym === c[pos]) continue;
          const typo = c.slice(0, pos) + sym + c.slice(pos + 1);
          expect(isValidCouponCode(typo), `${c} → ${typo}`).toBe(false);
        }
      }
    }
  });

  it('detects swaps of adjacent different symbols (all but the Luhn blind pair)', () => {
    let missed = 0;
    let tried = 0;
    for (let n = 0; n < 300; n++) {
      const c = newCouponCode();
      for (let pos = 0; pos < c.length - 1; pos++) {
        if (c[pos] === c[pos + 1]) continue;
        tried++;
        if (isValidCouponCode(c.slice(0, pos) + c[pos + 1] + c[pos] + c.slice(pos + 2))) missed++;
      }
    }
    expect(missed / tried).toBeLessThan(0.01);
  });

  it('reads what people type: case, dashes, spaces, I/L/O look-alikes', () => {
    const body = '1023456789ABCDE';
    const code = body + checkSymbol(body);
    expect(formatCouponCode(code)).toMatch(/^.{4}-.{4}-.{4}-.{4}$/);
    expect(parseCouponCode(formatCouponCode(code).toLowerCase())).toEqual({ ok: true, code });
    expect(parseCouponCode(' io23 4567 89ab cde' + code.slice(-1))).toEqual({ ok: true, code });
    expect(parseCouponCode('L023456789ABCDE' + code.slice(-1))).toEqual({ ok: true, code });
    expect(parseCouponCode(code.slice(1))).toMatchObject({ ok: false, reason: 'length' });
    expect(parseCouponCode(code.slice(0, -1) + 'U')).toMatchObject({ ok: false, reason: 'symbol' });
  });
});
