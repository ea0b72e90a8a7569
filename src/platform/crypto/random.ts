import crypto from 'node:crypto';

const POOL_SIZE = 8192;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Cryptographically random bytes, drawn from a pool refilled from the CSPRNG 8 KiB at a time: one
 * call into OpenSSL per few hundred IVs, data keys or ids instead of one each. Every byte is handed
 * out once (a fresh copy; the pool is replaced, never rewritten while slices of it are out).
 */
export function randomBytes(n: number): Buffer {
  if (n > POOL_SIZE / 4) return crypto.randomBytes(n);
  if (offset + n > pool.length) {
    pool = crypto.randomBytes(POOL_SIZE);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
}
