import { Type } from '@sinclair/typebox';
import { errors, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { messageChannelFor } from '../messaging/public';
import { startVerification, VERIFIABLE_TYPES } from './verification';

export const verificationRoutes: ModuleRoutes = (ctx) => async (app) => {
  const channel = messageChannelFor(ctx.config, ctx.log);

  app.post(
    '/verifications',
    {
      config: { roles: ['admin', 'integration', 'store_staff', 'support'], scope: 'customers' },
      schema: {
        tags: ['people'],
        summary: 'Send a one-time code to a phone (SMS) or e-mail, to prove the customer holds it',
        description:
          'The code (6 digits, valid 10 minutes, 5 attempts) goes to the customer only; pass {id, code} as verification to POST /v1/identify with the same API key. At most 5 codes per value per hour (429). 503 messaging_unavailable when no gateway is configured.',
        body: Type.Object(
          { type: StringEnum(VERIFIABLE_TYPES), value: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false, examples: [{ type: 'phone', value: '+8613800138000' }] },
        ),
        response: { 201: Type.Object({ id: Type.String(), expires_at: Type.String() }), ...errors(422, 429, 503) },
      },
    },
    async (req, reply) => {
      const out = await startVerification(ctx.database, ctx.keys, channel, req.body, req.principal);
      reply.code(201);
      return out;
    },
  );
};
