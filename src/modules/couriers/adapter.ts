import type { Config } from '../../platform/config';
import { postSigned, verifySignature } from '../../platform/events/signature';

declare module '../../platform/http/context' {
  interface AppContext {
    /** The courier platform adapter for hour and same-day deliveries, when one is configured. */
    courier: CourierAdapter | null;
  }
}

/** What a courier platform (达达 / 顺丰同城 style) is asked to do. */
export interface CourierJob {
  job_id: string;
  fulfillment_id: string;
  order_id: string;
  speed: string | null;
  pickup: { location_id: string; name: string; lat: number; lng: number; address: string | null };
  dropoff: { lat: number; lng: number; address: string };
  items: { sku: string; qty: number }[];
  callback_url: string;
}

/** Courier status as reported back, mapped onto fulfilment events. */
export const COURIER_STATUSES = ['accepted', 'picked_up', 'delivered', 'failed'] as const;
export type CourierStatus = (typeof COURIER_STATUSES)[number];

export interface CourierAdapter {
  name: string;
  /** Hands a job to the platform; returns its id for the job. Throws on failure (retried). */
  dispatch(job: CourierJob): Promise<{ external_id: string }>;
  /** Checks that a status callback really comes from the platform. */
  verifyCallback(headers: Record<string, string | string[] | undefined>, rawBody: string): boolean;
}

/**
 * A generic adapter: POSTs the job as JSON, signed like our webhooks (X-Santong-Signature,
 * HMAC-SHA256), to a configured URL; the platform answers `{id}` and later calls
 * POST /v1/couriers/webhook/callback signed with the same secret.
 */
export class WebhookCourierAdapter implements CourierAdapter {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 5000,
  ) {}

  async dispatch(job: CourierJob): Promise<{ external_id: string }> {
    const body = JSON.stringify(job);
    const res = await postSigned(this.url, this.secret, body, this.timeoutMs);
    if (!res.ok) throw new Error(`courier answered HTTP ${res.status}`);
    const answer = (await res.json().catch(() => ({}))) as { id?: unknown };
    return { external_id: typeof answer.id === 'string' ? answer.id : job.job_id };
  }

  verifyCallback(headers: Record<string, string | string[] | undefined>, rawBody: string): boolean {
    const h = headers['x-santong-signature'];
    return typeof h === 'string' && verifySignature(this.secret, rawBody, h);
  }
}

/** The configured courier adapter, or null when no courier platform is set. */
export function courierFromConfig(config: Config): CourierAdapter | null {
  if (!config.courierWebhookUrl) return null;
  if (config.courierWebhookSecret.length < 16)
    throw new Error('SANTONG_COURIER_WEBHOOK_SECRET must be at least 16 characters');
  return new WebhookCourierAdapter(config.courierWebhookUrl, config.courierWebhookSecret);
}
