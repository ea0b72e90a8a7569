import { Type } from '@sinclair/typebox';
import { ALL_ROLES } from '../../platform/auth/roles';
import { notFound } from '../../platform/http/errors';
import { errors } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { getProduct } from '../catalog/service';
import { stockOfSku } from './service';

const Level = Type.Object({ location_id: Type.String(), on_hand: Type.Integer(), reserved: Type.Integer(), safety_stock: Type.Integer(), available: Type.Integer(), online_available: Type.Integer() });

export const inventoryRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  app.get(
    '/stock/:sku',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['goods'],
        summary: 'Stock of one SKU in every location',
        params: Type.Object({ sku: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: Type.Object({ sku: Type.String(), locations: Type.Array(Level), totals: Type.Object({ on_hand: Type.Integer(), reserved: Type.Integer(), available: Type.Integer(), online_available: Type.Integer() }) }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      if (!(await getProduct(db, req.params.sku))) throw notFound('product', 'sku');
      return stockOfSku(db, req.params.sku);
    },
  );
};
