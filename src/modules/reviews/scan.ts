import crypto from 'node:crypto';
import type { KeyRing } from '../../platform/crypto/keys';
import type { Database } from '../../platform/db/database';
import { newId } from '../../platform/ids';
import { ingestEvents } from '../customers/public';

/** The visitor cookie: an anonymous id, merged into the customer when a sign-in identifies with it (One ID). */
export const VISITOR_COOKIE = 'santong_vid';
const VISITOR = /^v-[A-Za-z0-9_-]{16,40}$/;

/** The visitor id the browser holds, or null when it sends none we made. */
export function visitorOf(cookieHeader: string | undefined): string | null {
  const m = new RegExp(`(?:^|;\\s*)${VISITOR_COOKIE}=([^;]+)`).exec(cookieHeader ?? '');
  return m && VISITOR.test(m[1]) ? m[1] : null;
}

export const newVisitor = () => `v-${crypto.randomBytes(16).toString('base64url')}`;

/**
 * A scan of a shelf's QR code: an anonymous `qr_scanned` event of the visitor, at the store, so
 * analytics count scans per shelf and the person's history gains it once they sign in. It goes
 * through the one event ingest (validation, anonymous profiles); a store that does not exist is
 * left out rather than losing the scan.
 */
export async function recordScan(
  database: Database,
  keys: KeyRing,
  scan: { visitor: string; sku: string; store: string | null },
): Promise<void> {
  await ingestEvents(
    database,
    keys,
    [
      {
        event_id: newId('qrs'),
        type: 'qr_scanned',
        occurred_at: new Date().toISOString(),
        channel: 'web',
        anonymous_id: scan.visitor,
        ...(scan.store ? { location_id: scan.store } : {}),
        properties: { sku: scan.sku, ...(scan.store ? { store: scan.store } : {}) },
      },
    ],
    null,
  );
}
