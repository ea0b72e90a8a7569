import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { notFound } from '../../platform/http/errors';
import { errors, Id, StringEnum } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { rootOf } from '../customers/public';
import { TierViewSchema } from './tiers/schemas';
import { readWallet } from './wallet';

const Str = Type.String();
const NullableStr = Type.Union([Str, Type.Null()]);

/** A coupon as the wallet lists it (the till's offers too). */
export const WalletCouponSchema = Type.Object({
  code: Str,
  template_id: Str,
  name: Str,
  kind: Str,
  value: Type.Integer(),
  cap: Type.Union([Type.Integer(), Type.Null()]),
  min_spend: Type.Integer(),
  gift_sku: NullableStr,
  skus: Type.Union([Type.Array(Str), Type.Null()]),
  categories: Type.Union([Type.Array(Str), Type.Null()]),
  stackable: Type.Boolean(),
  valid_to: NullableStr,
});

const WalletSchema = Type.Object({
  customer_id: Str,
  channel: NullableStr,
  location_id: NullableStr,
  tier: TierViewSchema,
  points: Type.Object({
    balance: Type.Integer(),
    value: Type.Integer({ description: 'what the balance is worth in fen' }),
    per_yuan: Type.Integer(),
    cap_percent: Type.Number(),
  }),
  coupons: Type.Array(WalletCouponSchema, { description: 'coupons usable now in this channel and store, best first' }),
});

export const walletRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  app.get(
    '/customers/:id/wallet',
    {
      // Integration keys need loyalty:read (app, mini-program, web and POS keys have it by default).
      config: { roles: ['admin', 'support', 'store_staff', 'marketer', 'integration'], scope: 'loyalty:read' },
      schema: {
        tags: ['loyalty'],
        summary:
          "A customer's points, tier and the coupons usable now in a channel and store (what the till shows after member lookup)",
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ channel: Type.Optional(StringEnum(CHANNELS)), location_id: Type.Optional(Id) }),
        response: { 200: WalletSchema, ...errors(404) },
      },
    },
    async (req) => {
      const root = await rootOf(db, req.params.id);
      if (!root) throw notFound('customer', 'id');
      // Store staff see the wallet as their own till would use it.
      const p = req.principal;
      const location = p.role === 'store_staff' ? p.locationId : (req.query.location_id ?? null);
      const channel =
        p.role === 'integration' ? p.channel : (req.query.channel ?? (p.role === 'store_staff' ? 'pos' : null));
      return readWallet(db, root, channel, location);
    },
  );
};
