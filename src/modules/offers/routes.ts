import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { forbidden, notFound, unprocessable } from '../../platform/http/errors';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { rootOf } from '../customers/public';
import { WalletCouponSchema } from '../loyalty/public';
import { readOffers, VIEWED_DAYS } from './service';

const Str = Type.String();
const Named = Type.Object({ sku: Str, name: Str });

const OffersSchema = Type.Object({
  customer_id: Str,
  channel: Str,
  location_id: Str,
  coupons: Type.Array(
    Type.Intersect([WalletCouponSchema, Type.Object({ products: Type.Array(Named) })], {
      description: 'the products the coupon is limited to or gives, by name',
    }),
    { description: 'coupons usable now in this channel and store, best value first' },
  ),
  products: Type.Array(
    Type.Object({
      sku: Str,
      name: Str,
      price: Type.Integer({ description: 'list price, fen' }),
      available: Type.Integer({ description: 'units the store can sell now' }),
      viewed_at: Str,
    }),
    { description: `products viewed in the last ${VIEWED_DAYS} days that this store has in stock, latest first` },
  ),
});

export const offerRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  app.get(
    '/customers/:id/offers',
    {
      config: { roles: ['admin', 'marketer', 'store_staff'] },
      schema: {
        tags: ['loyalty'],
        summary:
          "A member's best offers now at a store (the till's payment-success screen): usable coupons, then viewed products in stock there",
        params: Type.Object({ id: Id }),
        querystring: Type.Object({
          channel: Type.Optional(StringEnum(CHANNELS, { default: 'pos' })),
          location_id: Type.Optional(Id),
        }),
        response: { 200: OffersSchema, ...errors(404, 422) },
      },
    },
    async (req) => {
      const p = req.principal;
      const asked = req.query.location_id;
      if (p.role === 'store_staff' && asked !== undefined && asked !== p.locationId)
        throw forbidden('store staff see offers at their own store only');
      const location = p.role === 'store_staff' ? p.locationId : asked;
      if (!location)
        throw unprocessable('location_required', 'location_id: the store the offers are for', 'location_id');
      if (!(await ctx.locationExists(db, location)))
        throw unprocessable('unknown_location', `location ${location} does not exist`, 'location_id');
      const root = await rootOf(db, req.params.id);
      if (!root) throw notFound('customer', 'id');
      return readOffers(db, root, req.query.channel ?? 'pos', location);
    },
  );
};
