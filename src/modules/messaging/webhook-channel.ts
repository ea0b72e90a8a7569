import { postSigned } from '../../platform/events/signature';
import type { MessageChannel, Recipient } from './channel';

/**
 * An SMS / e-mail gateway reached by webhook: POSTs `{to: {type, value}, text}` as JSON, signed like
 * our webhooks (`X-Santong-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">`). Any 2xx is delivered.
 */
export class WebhookMessageChannel implements MessageChannel {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(to: Recipient, text: string): Promise<void> {
    const body = JSON.stringify({ to, text });
    const res = await postSigned(this.url, this.secret, body, this.timeoutMs);
    if (!res.ok) throw new Error(`message gateway answered HTTP ${res.status}`);
  }
}
