import { Type } from '@sinclair/typebox';
import { errors, Id } from '../../../platform/http/schemas';
import { notFound } from '../../../platform/http/errors';
import type { ModuleRoutes } from '../../../platform/http/types';
import { rootOf } from '../../customers/public';
import { personOf } from '../points/ledger';
import { bindReferral, referralsView } from './service';
import { transact } from '../../../platform/db/transaction';

const ReferralsSchema = Type.Object({
  code: Type.String({ description: "the member's invite code (created on first request)" }),
  referred_by: Type.Union([
    Type.Object({
      customer_id: Type.String(),
      code: Type.String(),
      bound_at: Type.String(),
      rewarded_at: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  referred: Type.Array(
    Type.Object({
      customer_id: Type.String(),
      bound_at: Type.String(),
      rewarded_at: Type.Union([Type.String(), Type.Null()]),
      order_ref: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  rewards: Type.Object(
    { count: Type.Integer(), points: Type.Integer() },
    { description: 'rewarded invitations and the points they earned this member' },
  ),
});

export const referralRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/customers/:id/referrals',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'marketer', 'integration'], scope: 'loyalty:read' },
      schema: {
        tags: ['loyalty'],
        summary: "A member's invite code, whom they invited, and the rewards",
        params: Type.Object({ id: Id }),
        response: { 200: ReferralsSchema, ...errors(404) },
      },
    },
    async (req) => {
      const root = await rootOf(db, req.params.id);
      if (!root) throw notFound('customer', 'id');
      return referralsView(db, await personOf(db, root));
    },
  );

  app.post(
    '/customers/:id/referrals',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'integration'], scope: 'customers' },
      schema: {
        tags: ['loyalty'],
        summary:
          "Bind a new customer to the invite code they used (sign-up); both are rewarded on the customer's first paid order",
        description:
          '422 naming `code`: unknown_referral_code, self_referral (the same person, or a shared identifier or device), not_a_new_customer, already_referred.',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 32 }) },
          { additionalProperties: false, examples: [{ code: 'HN8K2Q' }] },
        ),
        response: { 200: ReferralsSchema, ...errors(404, 422) },
      },
    },
    async (req) => {
      const root = await rootOf(db, req.params.id);
      if (!root) throw notFound('customer', 'id');
      await transact(db, (tx) =>
        bindReferral(tx, { code: req.body.code, customer_id: root, field: 'code', now: new Date() }),
      );
      return referralsView(db, await personOf(db, root));
    },
  );
};
