import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { notFound } from '../../platform/http/errors';
import { Cursor, errors, Limit } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { getProduct, listProducts } from './service';

export const ProductSchema = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  category: Type.String(),
  list_price: Type.Integer({ description: 'fen' }),
  channels: Type.Array(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  updated_at: Type.String(),
});

const Sku = Type.String({ minLength: 1, maxLength: 64 });

export const catalogRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  app.get(
    '/products',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        querystring: Type.Object({ category: Type.Optional(Type.String({ maxLength: 64 })), q: Type.Optional(Type.String({ maxLength: 100 })), cursor: Cursor, limit: Limit }),
        response: { 200: Type.Object({ items: Type.Array(ProductSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors() },
      },
    },
    async (req) => listProducts(db, { ...req.query, limit: req.query.limit ?? 50 }),
  );
  app.get(
    '/products/:sku',
    { config: { roles: ALL_ROLES }, schema: { tags: ['goods'], params: Type.Object({ sku: Sku }), response: { 200: ProductSchema, ...errors(404) } } },
    async (req) => {
      const p = await getProduct(db, req.params.sku);
      if (!p) throw notFound('product', 'sku');
      return p;
    },
  );
};
