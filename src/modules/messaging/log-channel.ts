import type { Logger } from 'pino';
import type { MessageChannel, Recipient } from './channel';

/**
 * Development only (messageChannelFor never makes it in production): prints the message, so the
 * demo can be tried without a gateway. The recipient is masked; the text (the code) is shown.
 */
export class LogOnlyChannel implements MessageChannel {
  readonly name = 'log';
  constructor(private readonly log: Logger) {}

  async send(to: Recipient, text: string): Promise<void> {
    this.log.warn(
      { to: `${to.type} ****${to.value.slice(-4)}` },
      `[dev, no SANTONG_SMS_WEBHOOK_URL] message not sent: ${text}`,
    );
  }
}
