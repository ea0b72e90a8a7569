import { Type } from '@sinclair/typebox';
import { transact } from '../../platform/db/transaction';
import { unprocessable } from '../../platform/http/errors';
import { Cursor, errors, Id, Limit, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { checkOutboundUrl, UnsafeUrlError } from '../../platform/net/safe-url';
import { registerErasureStep } from '../customers/public';
import { listChannels, putChannel } from './channels';
import { eraseMessages } from './erasure';
import { listMessages } from './log';
import { getMessagingSettings, setMessagingSettings, TIME_OF_DAY } from './settings';
import { CHANNELS, REASONS, STATUSES } from './tables';

registerErasureStep('messaging', eraseMessages);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ChannelView = Type.Object({
  channel: StringEnum(CHANNELS),
  adapter: StringEnum(['log', 'webhook'] as const),
  url: Nullable(Type.String()),
  configured: Type.Boolean({ description: 'false: never set, messages are only recorded (log)' }),
  updated_at: Nullable(Type.String()),
});

const SettingsSchema = Type.Object(
  {
    quiet_hours: Nullable(
      Type.Object(
        {
          start: Type.String({ pattern: TIME_OF_DAY, description: 'HH:MM local' }),
          end: Type.String({ pattern: TIME_OF_DAY, description: 'HH:MM local' }),
        },
        { additionalProperties: false },
      ),
    ),
    frequency_cap: Nullable(
      Type.Object(
        {
          max: Type.Integer({ minimum: 1, maximum: 100, description: 'messages per customer and channel' }),
          days: Type.Integer({ minimum: 1, maximum: 365 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ quiet_hours: { start: '21:00', end: '09:00' }, frequency_cap: { max: 2, days: 7 } }],
  },
);

const MessageView = Type.Object({
  id: Type.String(),
  customer_id: Type.String({ description: 'the person (One ID root)' }),
  channel: StringEnum(CHANNELS),
  to: Nullable(Type.String({ description: 'masked address' })),
  text: Type.String(),
  journey_id: Nullable(Type.String()),
  step_id: Nullable(Type.String()),
  status: StringEnum(STATUSES),
  reason: Nullable(StringEnum(REASONS)),
  attempts: Type.Integer(),
  send_after: Type.String(),
  next_attempt_at: Nullable(Type.String()),
  last_error: Nullable(Type.String()),
  created_at: Type.String(),
  sent_at: Nullable(Type.String()),
  delivered_at: Nullable(Type.String()),
});

const HOW =
  'Marketing messages (journeys) are queued with a message_id chosen by the journey step and sent by every ' +
  "server's sender. Suppressed when queued without the channel's marketing consent (no_consent), without an " +
  'address for the channel (no_address) or over the frequency cap (frequency_cap); consent is checked again at ' +
  'the send. Quiet hours delay a message to their end. A webhook channel gets POST {message_id, channel, ' +
  'customer_id, to, text, journey_id, step_id, created_at} signed with X-Santong-Signature and Idempotency-Key: ' +
  '<message_id> (the same on every retry); 2xx is delivered, otherwise retried with backoff, then failed.';

export const messagingRoutes: ModuleRoutes = (ctx) => async (app) => {
  const database = ctx.database;
  const db = database.db;

  app.put(
    '/message-channels/:channel',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['marketing'],
        summary: "Set a message channel's adapter: only recorded (log, the default) or a signed webhook",
        description:
          HOW +
          ' The URL must be http(s) and resolve to public addresses only (checked again at every send); the secret is ' +
          'stored encrypted and never returned. Audited.',
        params: Type.Object({ channel: StringEnum(CHANNELS) }),
        body: Type.Object(
          {
            adapter: StringEnum(['log', 'webhook'] as const),
            url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 })),
            secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
          },
          {
            additionalProperties: false,
            examples: [
              { adapter: 'webhook', url: 'https://sms.example.com/santong', secret: 'msgsec-3f9a1c7e5b2d8046' },
              { adapter: 'log' },
            ],
          },
        ),
        response: { 200: ChannelView, ...errors(422) },
      },
    },
    async (req) => {
      const b = req.body;
      let adapter: Parameters<typeof putChannel>[4] = { adapter: 'log' };
      if (b.adapter === 'webhook') {
        if (!b.url) throw unprocessable('url_required', 'a webhook channel needs a url', 'url');
        if (!b.secret) throw unprocessable('secret_required', 'a webhook channel needs a secret', 'secret');
        try {
          await checkOutboundUrl(b.url, ctx.config.allowPrivateWebhooks);
        } catch (err) {
          if (err instanceof UnsafeUrlError)
            throw unprocessable('url_not_allowed', `channel URL refused: ${err.message}`, 'url');
          throw err;
        }
        adapter = { adapter: 'webhook', url: b.url, secret: b.secret };
      } else if (b.url !== undefined || b.secret !== undefined) {
        throw unprocessable('unexpected_field', 'the log adapter takes no url or secret', b.url ? 'url' : 'secret');
      }
      return transact(database, (tx) => putChannel(tx, ctx.keys, req.principal, req.params.channel, adapter));
    },
  );

  app.get(
    '/message-channels',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['marketing'],
        summary: 'The message channels and their adapters (secrets are never returned)',
        response: { 200: Type.Object({ items: Type.Array(ChannelView) }), ...errors() },
      },
    },
    async () => ({ items: await listChannels(db) }),
  );

  app.get(
    '/settings/messaging',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        tags: ['marketing'],
        summary: "Quiet hours (retailer's time zone) and the frequency cap of marketing messages",
        description: 'Defaults: quiet 21:00–09:00, at most 2 messages per customer and channel in 7 days. null: none.',
        response: { 200: SettingsSchema, ...errors() },
      },
    },
    async () => getMessagingSettings(db),
  );

  app.put(
    '/settings/messaging',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['marketing'],
        summary: 'Set quiet hours and the frequency cap (apply to messages queued from now on; audited)',
        body: SettingsSchema,
        response: { 200: SettingsSchema, ...errors(422) },
      },
    },
    async (req) => transact(database, (tx) => setMessagingSettings(tx, req.principal, req.body)),
  );

  app.get(
    '/messages',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        tags: ['marketing'],
        summary: 'The message log, newest first: by journey, customer (any of their ids) and state',
        description: HOW,
        querystring: Type.Object({
          journey_id: Type.Optional(Id),
          customer_id: Type.Optional(Id),
          status: Type.Optional(StringEnum(STATUSES)),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({ items: Type.Array(MessageView), next_cursor: Nullable(Type.String()) }),
          ...errors(),
        },
      },
    },
    async (req) => listMessages(db, { ...req.query, limit: req.query.limit ?? 50 }),
  );
};
