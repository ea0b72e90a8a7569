import crypto from 'node:crypto';

/**
 * Coupon codes: 15 random symbols of Crockford's base32 (75 bits from the OS CSPRNG) and one
 * check symbol (Luhn mod 32), shown in four groups of four: `7K3M-Q9TX-B2HW-E5RC`. The alphabet
 * has no I, L, O or U, and reading is forgiving (lower case, I/L → 1, O → 0, dashes and spaces
 * ignored), so a till can type one and reject a typo before any lookup: Luhn mod N catches every
 * single-symbol substitution and every transposition of two adjacent symbols but one pair.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = CODE_ALPHABET.length; // 32
export const CODE_RANDOM_LENGTH = 15;
export const CODE_LENGTH = CODE_RANDOM_LENGTH + 1;

const VALUE = new Map<string, number>([...CODE_ALPHABET].map((c, i) => [c, i]));

/** The check symbol for a body of alphabet symbols (Luhn mod N). */
export function checkSymbol(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const v = VALUE.get(body[i]);
    if (v === undefined) throw new Error(`not a code symbol: ${body[i]}`);
    let addend = factor * v;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
    factor = factor === 2 ? 1 : 2;
  }
  return CODE_ALPHABET[(N - (sum % N)) % N];
}

/** True when the last symbol is the right check symbol for the rest. */
function checkOk(code: string): boolean {
  let factor = 1;
  let sum = 0;
  for (let i = code.length - 1; i >= 0; i--) {
    const v = VALUE.get(code[i]);
    if (v === undefined) return false;
    let addend = factor * v;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
    factor = factor === 2 ? 1 : 2;
  }
  return sum % N === 0;
}

/** A new code in canonical form (16 symbols, no dashes). `random` is for deterministic demo data only. */
export function newCouponCode(random: (n: number) => Uint8Array = (n) => crypto.randomBytes(n)): string {
  const bytes = random(CODE_RANDOM_LENGTH);
  let body = '';
  for (let i = 0; i < CODE_RANDOM_LENGTH; i++) body += CODE_ALPHABET[bytes[i] & 31]; // 256 is a multiple of 32: unbiased
  return body + checkSymbol(body);
}

/** The code as people read it: groups of four joined by dashes. */
export function formatCouponCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

export type CodeCheck =
  { ok: true; code: string } | { ok: false; reason: 'length' | 'symbol' | 'check'; message: string };

/** Reads what someone typed or scanned into the canonical code, or says what is wrong with it. */
export function parseCouponCode(input: string): CodeCheck {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  const bad = [...s].find((c) => !VALUE.has(c));
  if (bad !== undefined)
    return { ok: false, reason: 'symbol', message: `"${bad.slice(0, 4)}" is not a coupon code symbol` };
  if (s.length !== CODE_LENGTH)
    return { ok: false, reason: 'length', message: `a coupon code has ${CODE_LENGTH} symbols, this has ${s.length}` };
  if (!checkOk(s))
    return { ok: false, reason: 'check', message: 'the check symbol does not match: the code was mistyped' };
  return { ok: true, code: s };
}

export function isValidCouponCode(input: string): boolean {
  return parseCouponCode(input).ok;
}
