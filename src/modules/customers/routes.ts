import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { Cursor, errors, Limit } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { listCustomers } from './service';

const CustomerSummary = Type.Object({
  id: Type.String(),
  created_at: Type.String(),
  first_channel: Type.Union([Type.String(), Type.Null()]),
  traits: Type.Record(Type.String(), Type.Unknown()),
  identifiers: Type.Array(Type.Object({ type: Type.String(), masked: Type.Union([Type.String(), Type.Null()]) })),
});

export const customerRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.get(
    '/customers',
    {
      config: { roles: ALL_ROLES.filter((r) => r !== 'integration') },
      schema: {
        tags: ['people'],
        summary: 'Customers (identifier values masked by role; none for marketers and analysts)',
        querystring: Type.Object({ cursor: Cursor, limit: Limit }),
        response: { 200: Type.Object({ items: Type.Array(CustomerSummary), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors() },
      },
    },
    async (req) => listCustomers(ctx.database.db, req.principal, { cursor: req.query.cursor, limit: req.query.limit ?? 50 }),
  );
};
