import crypto from 'node:crypto';
import { randomBytes } from './random';

/**
 * Personal data protection: a master key (SANTONG_MASTER_KEY, 32 bytes as hex or base64, or a
 * key file, see master-key.ts) wraps a data key per customer; personal values are encrypted with
 * AES-256-GCM under that data key. Destroying a customer's data key shreds them.
 *
 * Lookups use an HMAC-SHA256 blind index, and idempotency records a keyed hash, with keys derived
 * from the database's data root: a key stored in the database wrapped by the master key, so that
 * rotating the master key (re-wrapping) leaves every stored hash valid. In a database created
 * before the root existed the root is that database's first master key: the derivation is unchanged.
 */
export class KeyRing {
  // KeyObjects: imported into OpenSSL once, not on every HMAC or cipher.
  private readonly wrapKey: crypto.KeyObject;
  private readonly indexKey: crypto.KeyObject;
  private readonly root: Buffer;

  constructor(master: Buffer, root: Buffer = master) {
    if (master.length !== 32 || root.length !== 32) throw new Error('master key must be 32 bytes');
    this.root = root;
    this.wrapKey = wrapKeyOf(master);
    this.indexKey = crypto.createSecretKey(hkdf(root, 'santong/blind-index'));
  }

  /** Keyed hash of a normalised value, for exact-match lookups. */
  blindIndex(type: string, normalised: string): string {
    return crypto.createHmac('sha256', this.indexKey).update(`${type}:${normalised}`).digest('base64url');
  }

  /** A key for one purpose (e.g. keyed fingerprints), derived from the data root. */
  derive(purpose: string): Buffer {
    return hkdf(this.root, `santong/${purpose}`);
  }

  newDataKey(): { plain: Buffer; wrapped: Buffer } {
    const plain = randomBytes(32);
    return { plain, wrapped: seal(this.wrapKey, plain) };
  }

  unwrap(wrapped: Buffer): Buffer {
    return open(this.wrapKey, wrapped);
  }
}

/** AES-256-GCM: iv(12) | tag(16) | ciphertext. */
export function seal(key: Buffer | crypto.KeyObject, plain: Buffer | string): Buffer {
  const iv = randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain);
  const last = c.final();
  return Buffer.concat([iv, c.getAuthTag(), body, last]);
}

export function open(key: Buffer | crypto.KeyObject, sealed: Buffer): Buffer {
  const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
}

function hkdf(key: Buffer, info: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
}

/** The key that wraps data keys (and the data root) under a master key. */
export function wrapKeyOf(master: Buffer): crypto.KeyObject {
  return crypto.createSecretKey(hkdf(master, 'santong/wrap'));
}

/** Recorded in the database to recognise its master key without storing anything that reveals it. */
export function masterKeyFingerprint(master: Buffer): string {
  return crypto.createHmac('sha256', master).update('santong master key fingerprint v1').digest('hex');
}

/** A master key as configured: 32 bytes as 64 hex characters or base64. */
export function parseMasterKey(raw: string, name = 'SANTONG_MASTER_KEY'): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (buf.length !== 32) throw new MasterKeyError(`${name} must be 32 bytes, as 64 hex characters or base64`);
  return buf;
}

/** The master key is missing, malformed or not this database's: the process must not run. */
export class MasterKeyError extends Error {}
