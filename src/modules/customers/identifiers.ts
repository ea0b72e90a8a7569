export const IDENTIFIER_TYPES = [
  'phone',
  'email',
  'wechat_openid',
  'wechat_unionid',
  'device_id',
  'member_card',
  'pos_card',
  'external',
] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** Strong identifiers belong to one person; weak ones (a shared device, a per-app openid) never fuse people. */
export const STRONG_TYPES: ReadonlySet<IdentifierType> = new Set([
  'phone',
  'email',
  'wechat_unionid',
  'member_card',
  'pos_card',
  'external',
]);

export class InvalidIdentifier extends Error {}

/** Normalises a value before matching: phone to E.164 (+86 default), email trimmed and lower-cased. */
export function normalise(type: IdentifierType, raw: string): string {
  const v = raw.trim();
  if (v === '') throw new InvalidIdentifier(`${type} is empty`);
  if (type === 'phone') {
    let digits = v.replace(/[\s()-]/g, '');
    if (digits.startsWith('00')) digits = '+' + digits.slice(2);
    if (!digits.startsWith('+')) digits = '+86' + digits;
    if (!/^\+[1-9]\d{6,14}$/.test(digits)) throw new InvalidIdentifier('phone is not a valid number');
    if (digits.startsWith('+86') && !/^\+861[3-9]\d{9}$/.test(digits))
      throw new InvalidIdentifier('phone is not a valid mainland China mobile number');
    return digits;
  }
  if (type === 'email') {
    const e = v.toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) || e.length > 254)
      throw new InvalidIdentifier('email is not a valid address');
    return e;
  }
  if (v.length > 128) throw new InvalidIdentifier(`${type} is longer than 128 characters`);
  return v;
}

/** What support and store staff see: 138****5678, a***@example.com, the ends of a card. */
export function mask(type: IdentifierType, normalised: string): string {
  if (type === 'phone') {
    const local = normalised.startsWith('+86') ? normalised.slice(3) : normalised;
    return local.length >= 7 ? `${local.slice(0, 3)}****${local.slice(-4)}` : '****';
  }
  if (type === 'email') {
    const [user, domain] = normalised.split('@');
    return `${user.slice(0, 1)}***@${domain}`;
  }
  return normalised.length > 6 ? `${normalised.slice(0, 2)}****${normalised.slice(-4)}` : '****';
}
