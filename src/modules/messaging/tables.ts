import type { Generated } from 'kysely';

/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['message_channels', 'messages'] as const;

export const CHANNELS = ['sms', 'wechat', 'push', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export const STATUSES = ['queued', 'sent', 'delivered', 'failed', 'suppressed'] as const;
export type MessageStatus = (typeof STATUSES)[number];

/** Why a message was not sent: decided when queued (the first three) or at the send. */
export const REASONS = ['no_consent', 'no_address', 'frequency_cap', 'journey_paused', 'erased'] as const;
export type SuppressionReason = (typeof REASONS)[number];

export interface MessageChannelsTable {
  channel: Channel;
  adapter: 'log' | 'webhook';
  url: string | null;
  secret_sealed: Buffer | null;
  updated_at: Generated<Date>;
}

export interface MessagesTable {
  id: string;
  customer_id: string;
  channel: Channel;
  text: string;
  journey_id: string | null;
  step_id: string | null;
  status: MessageStatus;
  reason: SuppressionReason | null;
  to_masked: string | null;
  attempts: Generated<number>;
  send_after: Date;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
  delivered_at: Date | null;
  updated_at: Generated<Date>;
}

// Module tables join the one database interface by declaration merging.
declare module '../../platform/db/schema' {
  interface DB {
    message_channels: MessageChannelsTable;
    messages: MessagesTable;
  }
}
