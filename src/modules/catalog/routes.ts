import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { notFound } from '../../platform/http/errors';
import { Cursor, errors, Limit } from '../../platform/http/schemas';
import { upsertProduct } from './write';
import type { ModuleRoutes } from '../../platform/http/types';
import { CreateProductBody, ProductBody, ProductSchema, Sku } from './schemas';
import { getProduct, listProducts } from './service';
import { transact } from '../../platform/db/transaction';

export const catalogRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  const write = (sku: string, body: typeof ProductBody.static) =>
    transact(db, (tx) => upsertProduct(tx, { sku, ...body }));

  app.post(
    '/products',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: 'Create or update a product; a list price change publishes price.changed',
        body: CreateProductBody,
        response: { 201: ProductSchema, 200: ProductSchema, ...errors(409) },
      },
    },
    async (req, reply) => {
      const { sku, ...rest } = req.body;
      const r = await write(sku, rest);
      return reply.code(r.created ? 201 : 200).send(r.product);
    },
  );

  app.put(
    '/products/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['goods'],
        summary: 'Update a product (the same list price for everyone, everywhere)',
        params: Type.Object({ sku: Sku }),
        body: ProductBody,
        response: { 200: ProductSchema, 201: ProductSchema, ...errors(409) },
      },
    },
    async (req, reply) => {
      const r = await write(req.params.sku, req.body);
      return reply.code(r.created ? 201 : 200).send(r.product);
    },
  );

  app.get(
    '/products',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'Products by category or a search of name and SKU (or an exact barcode), a page at a time',
        querystring: Type.Object({
          category: Type.Optional(Type.String({ maxLength: 64 })),
          q: Type.Optional(Type.String({ maxLength: 100 })),
          cursor: Cursor,
          limit: Limit,
        }),
        response: {
          200: Type.Object({ items: Type.Array(ProductSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(),
        },
      },
    },
    async (req) => listProducts(db, { ...req.query, limit: req.query.limit ?? 50 }),
  );
  app.get(
    '/products/:sku',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'One product',
        params: Type.Object({ sku: Sku }),
        response: { 200: ProductSchema, ...errors(404) },
      },
    },
    async (req) => {
      const p = await getProduct(db, req.params.sku);
      if (!p) throw notFound('product', 'sku');
      return p;
    },
  );
};
