/** 营销消息 (marketing messages): the shapes the message log and the messaging settings read, from the API contract. */

import { allOf, type Answer, type RequestBody } from './contract';

/** GET /v1/messages: one message of the log. */
export type MessageRow = Answer<'/v1/messages'>['items'][number];
export type MessageStatus = MessageRow['status'];
export const MESSAGE_STATUSES = allOf<MessageStatus>()(['queued', 'sent', 'delivered', 'failed', 'suppressed']);
/** GET /v1/message-channels: one channel and its adapter (never the secret). */
export type MessageChannelView = Answer<'/v1/message-channels'>['items'][number];
export type MessageChannelBody = RequestBody<'/v1/message-channels/{channel}', 'put'>;
/** GET/PUT /v1/settings/messaging: quiet hours and the frequency cap. */
export type MessagingSettings = Answer<'/v1/settings/messaging'>;

/** How a message's state reads at a glance (badge tone). */
export const MESSAGE_TONE: Record<MessageStatus, string> = {
  queued: 'info',
  sent: 'info',
  delivered: 'ok',
  failed: 'danger',
  suppressed: 'muted',
};
