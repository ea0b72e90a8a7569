import { Type } from '@sinclair/typebox';
import { CHANNELS, ROLES } from './roles';
import { createKey, listKeys, revokeKey } from './keys';
import { SCOPES } from './scopes';
import type { ModuleRoutes } from '../http/types';
import { errors, StringEnum, Id } from '../http/schemas';
import { notFound, unprocessable } from '../http/errors';
import { audit } from '../audit/audit';
import { transact } from '../db/transaction';

const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  location_id: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Union([Type.String(), Type.Null()]),
  key_prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});

export const apiKeyRoutes: ModuleRoutes = (ctx) => async (app) => {
  const admin = { roles: ['admin'] as const };

  app.post(
    '/api-keys',
    {
      config: { ...admin, secretFields: ['key'] },
      schema: {
        tags: ['platform'],
        summary: 'Create an API key (the secret is shown once)',
        description:
          'An idempotent replay (same Idempotency-Key) answers the key without `key`: the secret is never stored, ' +
          'and the header `idempotent-secret-omitted: key` says so.',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            role: StringEnum(ROLES),
            location_id: Type.Optional(Id),
            channel: Type.Optional(StringEnum(CHANNELS)),
            scopes: Type.Optional(
              Type.Array(StringEnum(SCOPES), {
                uniqueItems: true,
                maxItems: SCOPES.length,
                description: "default: every scope, or an integration key's channel defaults",
              }),
            ),
          },
          {
            additionalProperties: false,
            examples: [{ name: "Till 3, People's Square", role: 'store_staff', location_id: 'st-renmin' }],
          },
        ),
        response: { 201: Type.Intersect([KeyView, Type.Object({ key: Type.String() })]), ...errors(422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.role === 'store_staff' && !b.location_id)
        throw unprocessable('location_required', 'a store_staff key is bound to one location', 'location_id');
      if (b.role === 'integration' && !b.channel)
        throw unprocessable('channel_required', 'an integration key is bound to one channel', 'channel');
      if (b.location_id && !(await ctx.locationExists(ctx.database.db, b.location_id))) {
        throw unprocessable('unknown_location', `location ${b.location_id} does not exist`, 'location_id');
      }
      const key = await transact(ctx.database.db, async (tx) => {
        const k = await createKey(tx, {
          name: b.name,
          role: b.role,
          locationId: b.location_id ?? null,
          channel: b.channel ?? null,
          scopes: b.scopes,
        });
        await audit(tx, req.principal, {
          action: 'api_key.create',
          subject: k.id,
          details: { role: k.role, location_id: k.location_id, channel: k.channel, scopes: k.scopes },
        });
        return k;
      });
      return reply.code(201).send(key);
    },
  );

  app.get(
    '/me',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['platform'],
        summary: 'Who this key is: role, the location or channel it is bound to, and its scopes',
        response: {
          200: Type.Object({
            key_id: Type.String(),
            name: Type.String(),
            role: Type.String(),
            location_id: Type.Union([Type.String(), Type.Null()]),
            channel: Type.Union([Type.String(), Type.Null()]),
            scopes: Type.Array(Type.String()),
          }),
          ...errors(),
        },
      },
    },
    async (req) => ({
      key_id: req.principal.keyId,
      name: req.principal.name,
      role: req.principal.role,
      location_id: req.principal.locationId,
      channel: req.principal.channel,
      scopes: [...req.principal.scopes],
    }),
  );

  app.get(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Every API key, revoked ones too (never the secrets)',
        response: { 200: Type.Object({ items: Type.Array(KeyView) }), ...errors() },
      },
    },
    async () => ({
      items: await listKeys(ctx.database.db),
    }),
  );

  app.delete(
    '/api-keys/:id',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Revoke an API key: it stops working at once',
        params: Type.Object({ id: Id }),
        response: { 200: KeyView, ...errors(404) },
      },
    },
    async (req) => {
      const key = await transact(ctx.database.db, async (tx) => {
        const k = await revokeKey(tx, req.params.id);
        if (k) await audit(tx, req.principal, { action: 'api_key.revoke', subject: k.id, details: { role: k.role } });
        return k;
      });
      if (!key) throw notFound('API key', 'id');
      app.forgetPrincipals();
      return key;
    },
  );
};
