import { Type } from '@sinclair/typebox';
import { CHANNELS, ROLES } from './roles';
import { createKey, listKeys, revokeKey } from './keys';
import type { ModuleRoutes } from '../http/types';
import { errors, StringEnum, Id } from '../http/schemas';
import { notFound, unprocessable } from '../http/errors';
import { audit } from '../audit/audit';

const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  location_id: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Union([Type.String(), Type.Null()]),
  key_prefix: Type.String(),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});

export const apiKeyRoutes: ModuleRoutes = (ctx) => async (app) => {
  const admin = { roles: ['admin'] as const };

  app.post(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags: ['platform'],
        summary: 'Create an API key (the secret is shown once)',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          role: StringEnum(ROLES),
          location_id: Type.Optional(Id),
          channel: Type.Optional(StringEnum(CHANNELS)),
        }, { additionalProperties: false }),
        response: { 201: Type.Intersect([KeyView, Type.Object({ key: Type.String() })]), ...errors(422) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (b.role === 'store_staff' && !b.location_id) throw unprocessable('location_required', 'a store_staff key is bound to one location', 'location_id');
      if (b.role === 'integration' && !b.channel) throw unprocessable('channel_required', 'an integration key is bound to one channel', 'channel');
      if (b.location_id && !(await ctx.locationExists(ctx.database.db, b.location_id))) {
        throw unprocessable('unknown_location', `location ${b.location_id} does not exist`, 'location_id');
      }
      const key = await ctx.database.db.transaction().execute(async (tx) => {
        const k = await createKey(tx, { name: b.name, role: b.role, locationId: b.location_id ?? null, channel: b.channel ?? null });
        await audit(tx, req.principal, { action: 'api_key.create', subject: k.id, details: { role: k.role, location_id: k.location_id, channel: k.channel } });
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
        summary: 'Who this key is: role and the location or channel it is bound to',
        response: { 200: Type.Object({ key_id: Type.String(), name: Type.String(), role: Type.String(), location_id: Type.Union([Type.String(), Type.Null()]), channel: Type.Union([Type.String(), Type.Null()]) }), ...errors() },
      },
    },
    async (req) => ({ key_id: req.principal.keyId, name: req.principal.name, role: req.principal.role, location_id: req.principal.locationId, channel: req.principal.channel }),
  );

  app.get('/api-keys', { config: admin, schema: { tags: ['platform'], response: { 200: Type.Object({ items: Type.Array(KeyView) }), ...errors() } } }, async () => ({
    items: await listKeys(ctx.database.db),
  }));

  app.delete(
    '/api-keys/:id',
    { config: admin, schema: { tags: ['platform'], params: Type.Object({ id: Id }), response: { 200: KeyView, ...errors(404) } } },
    async (req) => {
      const key = await ctx.database.db.transaction().execute(async (tx) => {
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
