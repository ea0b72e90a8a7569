import { randomBytes } from './crypto/random';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Time-ordered, unguessable ids such as `ord_01jd3k...`: 10 chars of ms time + 16 random. */
export function newId(prefix: string, now = Date.now()): string {
  let t = now;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i] % 32];
  return `${prefix}_${time}${rand}`;
}
