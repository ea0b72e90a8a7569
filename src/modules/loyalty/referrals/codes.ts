import crypto from 'node:crypto';

/** Invite codes: 8 characters without look-alikes (no 0/O, 1/I/L), easy to read out at a till. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newInviteCode(): string {
  const bytes = crypto.randomBytes(8);
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[bytes[i] % ALPHABET.length];
  return s;
}

/** How a typed code is compared: upper case, spaces and dashes dropped. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}
