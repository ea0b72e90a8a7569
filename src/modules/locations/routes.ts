import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { notFound } from '../../platform/http/errors';
import { errors, Id } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { LocationSchema } from './schemas';
import { getLocation, listLocations } from './service';

export const locationRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  app.get(
    '/locations',
    { config: { roles: ALL_ROLES }, schema: { tags: ['goods'], summary: 'DC, stores and dark stores', response: { 200: Type.Object({ items: Type.Array(LocationSchema) }), ...errors() } } },
    async () => ({ items: await listLocations(db) }),
  );
  app.get(
    '/locations/:id',
    { config: { roles: ALL_ROLES }, schema: { tags: ['goods'], params: Type.Object({ id: Id }), response: { 200: LocationSchema, ...errors(404) } } },
    async (req) => {
      const loc = await getLocation(db, req.params.id);
      if (!loc) throw notFound('location', 'id');
      return loc;
    },
  );
};
