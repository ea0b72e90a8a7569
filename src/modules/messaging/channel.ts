import type { Logger } from 'pino';
import type { Config } from '../../platform/config';
import { LogOnlyChannel } from './log-channel';
import { WebhookMessageChannel } from './webhook-channel';

/** Who a message goes to: a phone (SMS) or an e-mail address, normalised. */
export interface Recipient {
  type: 'phone' | 'email';
  value: string;
}

/** A way to reach a customer (an SMS gateway, an e-mail service). `send` throws when not delivered. */
export interface MessageChannel {
  readonly name: string;
  send(to: Recipient, text: string): Promise<void>;
}

/**
 * The configured channel: the gateway at SANTONG_SMS_WEBHOOK_URL; without one, in development a
 * channel that prints the message (the demo's codes), in production none (callers answer 503).
 */
export function messageChannelFor(config: Config, log: Logger): MessageChannel | null {
  if (config.smsWebhookUrl) {
    if (config.smsWebhookSecret.length < 16)
      throw new Error('SANTONG_SMS_WEBHOOK_SECRET must be at least 16 characters');
    return new WebhookMessageChannel(config.smsWebhookUrl, config.smsWebhookSecret);
  }
  return config.dev ? new LogOnlyChannel(log) : null;
}
