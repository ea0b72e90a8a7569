import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from './random';

/**
 * Personal data protection: a master key (SANTONG_MASTER_KEY, 32 bytes as hex or base64, or a
 * key file generated on first start in embedded mode) wraps a data key per customer; personal
 * values are encrypted with AES-256-GCM under that data key. Lookups use an HMAC-SHA256 blind
 * index with a key derived from the master key. Destroying a customer's data key shreds them.
 */
export class KeyRing {
  // KeyObjects: imported into OpenSSL once, not on every HMAC or cipher.
  private readonly wrapKey: crypto.KeyObject;
  private readonly indexKey: crypto.KeyObject;
  private readonly master: Buffer;

  constructor(master: Buffer) {
    this.master = master;
    if (master.length !== 32) throw new Error('master key must be 32 bytes');
    this.wrapKey = crypto.createSecretKey(Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), 'santong/wrap', 32)));
    this.indexKey = crypto.createSecretKey(Buffer.from(crypto.hkdfSync('sha256', master, Buffer.alloc(0), 'santong/blind-index', 32)));
  }

  /** Keyed hash of a normalised value, for exact-match lookups. */
  blindIndex(type: string, normalised: string): string {
    return crypto.createHmac('sha256', this.indexKey).update(`${type}:${normalised}`).digest('base64url');
  }

  /** A key for one purpose (e.g. keyed fingerprints), derived from the master key. */
  derive(purpose: string): Buffer {
    return Buffer.from(crypto.hkdfSync('sha256', this.master, Buffer.alloc(0), `santong/${purpose}`, 32));
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

function parseKey(raw: string): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  if (buf.length !== 32) throw new Error('SANTONG_MASTER_KEY must be 32 bytes, as 64 hex characters or base64');
  return buf;
}

/** The master key from the environment, else from (or newly into) a key file beside the data dir. */
export function loadMasterKey(envValue: string | undefined, keyFile: string): Buffer {
  if (envValue) return parseKey(envValue);
  if (fs.existsSync(keyFile)) return parseKey(fs.readFileSync(keyFile, 'utf8'));
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(keyFile, key.toString('hex') + '\n', { mode: 0o600 });
  return key;
}
