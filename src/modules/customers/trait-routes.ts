import { Type } from '@sinclair/typebox';
import { audit } from '../../platform/audit/audit';
import { errors, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { declareTrait, traitDefinitions } from './trait-schema';

const Definition = Type.Object({
  key: Type.String(),
  classification: Type.String(),
  type: Type.String(),
  builtin: Type.Boolean(),
});
const CLASSES = ['pii', 'plain'] as const;
const TYPES = ['string', 'number', 'boolean', 'date'] as const;

/** The trait schema: built-in traits and the custom ones an admin declared, each `pii` or `plain`. */
export const traitRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/traits',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'marketer', 'analyst', 'integration'] },
      schema: {
        tags: ['people'],
        summary: 'Declared traits: built-in and custom, pii (sealed, masked) or plain',
        response: { 200: Type.Object({ items: Type.Array(Definition) }), ...errors() },
      },
    },
    async () => ({ items: await traitDefinitions(db) }),
  );

  app.post(
    '/traits',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['people'],
        summary:
          'Declare a custom trait (never changed afterwards): pii values are sealed and shown only to roles that see contact data',
        description:
          'Traits nobody declared are plain and refused (422) when their key names contact data or their value looks like a phone number or e-mail address.',
        body: Type.Object(
          {
            key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
            classification: StringEnum(CLASSES),
            type: Type.Optional(StringEnum(TYPES)),
          },
          {
            additionalProperties: false,
            examples: [{ key: 'wechat_nickname', classification: 'pii', type: 'string' }],
          },
        ),
        response: { 200: Definition, 201: Definition, ...errors(409, 422) },
      },
    },
    async (req, reply) => {
      const { definition, created } = await declareTrait(db, req.principal, req.body);
      if (created)
        await audit(db, req.principal, {
          action: 'trait.declare',
          subject: definition.key,
          details: { classification: definition.classification, type: definition.type },
        });
      return reply.code(created ? 201 : 200).send(definition);
    },
  );
};
