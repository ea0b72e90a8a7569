/**
 * Contact data recognised by what it looks like, not by the name of the field that carries it:
 * phone numbers and e-mail addresses in free text, event properties and undeclared traits.
 * The text is normalised first (full-width digits, invisible characters, percent-encoding), so
 * "139 1234 5678", "１３９…", "1\u200b39…" and "?email=a%40b.cn" are all found.
 */

// Format characters (zero-width space and joiners, BOM, bidi marks, soft hyphen, ...) and other
// invisible code points a client could slip between digits.
const INVISIBLE = /[\p{Cf}\u115f\u1160\u3164\uffa0\u2800]/gu;
const SEP = '[-\\s.()]?';
/** A mainland mobile (optionally +86), an international number with +, or a landline with area code. */
const PHONE = new RegExp(
  [
    `(?<!\\d)(?:\\+?86${SEP})?1[3-9]\\d(?:${SEP}\\d){8}(?!\\d)`,
    `\\+\\d(?:${SEP}\\d){7,14}(?!\\d)`,
    `(?<!\\d)0\\d{2,3}[-\\s]\\d{7,8}(?!\\d)`,
  ].join('|'),
  'g',
);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Words that name contact data in a key: contact_phone, receiver.mobile, Email, emailAddress, 手机号. */
const CONTACT_WORD = /phone|mobile|e?mail|^tel$|^tel_|telephone|cellphone|msisdn|wechat_?id|手机|电话|邮箱/;

/** Visible text: NFKC (full-width digits and @ become ASCII), invisible characters removed. */
export function visibleText(s: string): string {
  return s.normalize('NFKC').replace(INVISIBLE, '');
}

function decoded(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s.replace(/%40/gi, '@');
  }
}

const prepared = (s: string) => decoded(visibleText(s));

/** A cheap first look: an @ (any width, or percent-encoded) or at least seven digits (any width). */
function mayHoldContact(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 0xff10 && c <= 0xff19)) {
      if (++digits >= 7) return true;
    } else if (c === 64 || c === 0xff20 || (c === 37 && s.charCodeAt(i + 1) === 52 && s.charCodeAt(i + 2) === 48))
      return true;
  }
  return false;
}

/** What kind of contact data a text holds, or null. */
export function contactDataIn(s: string): 'phone' | 'email' | null {
  if (s.length < 6 || !mayHoldContact(s)) return null;
  const t = prepared(s);
  EMAIL.lastIndex = 0;
  PHONE.lastIndex = 0;
  if (EMAIL.test(t)) return 'email';
  if (PHONE.test(t)) return 'phone';
  return null;
}

/** The text with every phone number and e-mail address replaced (for stored text that predates the checks). */
export function redactContactData(s: string, replacement = '[erased]'): string {
  if (s.length < 6) return s;
  const t = prepared(s);
  if (contactDataIn(t) === null) return s;
  return t.replace(EMAIL, replacement).replace(PHONE, replacement);
}

// Event properties repeat the same few keys: each is judged once (a bounded memo).
const keyMemo = new Map<string, boolean>();

/** A key that names contact data (its words, lower-cased, camelCase split): `contact_phone`, `Email`, `receiverMobile`. */
export function isContactKey(key: string): boolean {
  let v = keyMemo.get(key);
  if (v === undefined) {
    if (keyMemo.size >= 10000) keyMemo.clear();
    v = namesContact(key);
    keyMemo.set(key, v);
  }
  return v;
}

function namesContact(key: string): boolean {
  const words = visibleText(key)
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9\u4e00-\u9fff]+/)
    .filter((w) => w !== '');
  const joined = words.join('_');
  return words.some((w) => CONTACT_WORD.test(w)) || /phone_?number|e_?mail_?address/.test(joined);
}

/**
 * The first place in a JSON value where contact data sits in the clear: a string that looks like
 * a phone or e-mail, or a contact-named key with a value that holds a digit or an @. Returns the
 * dotted path below `path` and what was found, or null.
 */
export function findContactData(value: unknown, path: string): { field: string; kind: string } | null {
  if (typeof value === 'string') {
    const kind = contactDataIn(value);
    return kind ? { field: path, kind } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findContactData(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path === '' ? k : `${path}.${k}`;
      if (
        isContactKey(k) &&
        (typeof v === 'number' || (typeof v === 'string' && /[\d@＠]/.test(v)) || (typeof v === 'object' && v !== null))
      ) {
        return { field, kind: 'contact field' };
      }
      const hit = findContactData(v, field);
      if (hit) return hit;
    }
  }
  return null;
}
