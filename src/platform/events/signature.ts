import crypto from 'node:crypto';
import { UnsafeUrlError, type SafeHttpClient } from '../net/safe-url';

/** `X-Santong-Signature: t=<unix>,v1=<hex hmac-sha256 of "<t>.<body>">`, as Stripe-style receivers expect. */
export function signPayload(secret: string, body: string, timestamp: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * POSTs a JSON body signed like our webhooks to an operator-configured party (courier platform, message
 * gateway). Redirects are not followed: a 3xx is an answer that is not ok.
 */
export async function postSigned(url: string, secret: string, body: string, timeoutMs: number): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-santong-signature': signPayload(secret, body, Math.floor(Date.now() / 1000)),
    },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/**
 * POSTs a JSON body signed like our webhooks through the SSRF-checked client (the address checked
 * again at every delivery): null when delivered (2xx), otherwise why not. A redirect is not followed.
 */
export async function deliverSigned(
  http: SafeHttpClient,
  url: string,
  secret: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<string | null> {
  try {
    const status = await http.post(
      url,
      {
        ...headers,
        'content-type': 'application/json',
        'x-santong-signature': signPayload(secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
      timeoutMs,
    );
    if (status >= 200 && status < 300) return null;
    return status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
  } catch (err) {
    if (err instanceof UnsafeUrlError) return `refused: ${err.message}`;
    return err instanceof Error ? err.message : String(err);
  }
}

export function verifySignature(
  secret: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || Math.abs(now / 1000 - t) > toleranceSeconds || typeof parts.v1 !== 'string') return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return parts.v1.length === expected.length && crypto.timingSafeEqual(Buffer.from(parts.v1), Buffer.from(expected));
}
