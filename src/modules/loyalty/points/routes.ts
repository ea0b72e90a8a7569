import { Type } from '@sinclair/typebox';
import type { Principal } from '../../../platform/auth/roles';
import { errors, Cursor, FreeText, Id, Limit } from '../../../platform/http/schemas';
import { forbidden, notFound, unprocessable } from '../../../platform/http/errors';
import type { ModuleRoutes } from '../../../platform/http/types';
import type { AppContext } from '../../../platform/http/context';
import { registerErasureStep } from '../../customers/public';
import { registerProfileSection } from '../../customers/public';
import { resolveCustomer, type CustomerRef as Ref } from '../../customers/public';
import { tierOf } from '../tiers/service';
import { TierViewSchema } from '../tiers/schemas';
import { setRetailerTimezone } from './expiry-date';
import { personOf } from './ledger';
import { eraseLoyalty } from './erasure';
import { adjustPoints, earnForAct } from './manual';
import { loyaltyRules, updateRules } from './rules';
import { CustomerRef, HistoryItemSchema, PointsSummarySchema, RulesPatchSchema, RulesSchema } from './schemas';
import { pointsHistory, pointsSummary } from './view';
import { rootOf } from '../../customers/public';
import { transact } from '../../../platform/db/transaction';

// The 360° profile shows tier and points (customers does not import loyalty: it reads registered sections).
registerProfileSection(
  'loyalty',
  async (db, members) => ({ tier: await tierOf(db, members), points: await pointsSummary(db, members, new Date()) }),
  Type.Object({ tier: TierViewSchema, points: PointsSummarySchema }, { description: 'tier and points (loyalty)' }),
);

// An erasure anonymises the person's loyalty rows too.
registerErasureStep('loyalty', eraseLoyalty);

const Written = Type.Object({
  customer_id: Type.String(),
  entry_id: Type.String(),
  points: Type.Integer(),
  balance: Type.Integer(),
});

function channelOf(p: Principal): string {
  return p.channel ?? 'pos';
}

async function customerOf(ctx: AppContext, ref: Ref, p: Principal): Promise<string> {
  return resolveCustomer(ctx.database, ctx.keys, ref, channelOf(p), p, 'customer');
}

export const pointsRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;
  setRetailerTimezone(ctx.config.timezone);

  app.get(
    '/customers/:id/points',
    {
      config: { roles: ['admin', 'support', 'store_staff', 'marketer', 'integration'], scope: 'loyalty:read' },
      schema: {
        tags: ['loyalty'],
        summary: "A customer's points: balance, points expiring in the next 30 days, and the ledger (newest first)",
        description:
          'The balance is the sum of the ledger over every id of the person. Reversal entries show `unrecovered` when earned points being reversed had already been spent: a reversal never takes the balance below zero.',
        params: Type.Object({ id: Id }),
        querystring: Type.Object({ cursor: Cursor, limit: Limit }),
        response: {
          200: Type.Object({
            customer_id: Type.String(),
            balance: Type.Integer(),
            expiring_soon: PointsSummarySchema.properties.expiring_soon,
            history: Type.Object({
              items: Type.Array(HistoryItemSchema),
              next_cursor: Type.Union([Type.String(), Type.Null()]),
            }),
          }),
          ...errors(404),
        },
      },
    },
    async (req) => {
      const root = await rootOf(db, req.params.id);
      if (!root) throw notFound('customer', 'id');
      const person = await personOf(db, root);
      const [summary, history] = await Promise.all([
        pointsSummary(db, person.members, new Date()),
        pointsHistory(db, person.members, { cursor: req.query.cursor, limit: req.query.limit ?? 50 }),
      ]);
      return { customer_id: root, ...summary, history };
    },
  );

  app.post(
    '/points/adjust',
    {
      config: { roles: ['admin', 'support'] },
      schema: {
        tags: ['loyalty'],
        summary: 'Adjust a balance by hand, with a reason (audited); 422 if it would go below zero',
        body: Type.Object(
          {
            customer: CustomerRef,
            points: Type.Integer({ minimum: -100_000_000, maximum: 100_000_000, description: 'signed, not 0' }),
            reason: FreeText(500, { minLength: 1 }),
          },
          {
            additionalProperties: false,
            examples: [
              {
                customer: { id: 'cus_01jeb2m9x4k7q3r8t5v6w2y9za' },
                points: -200,
                reason: 'goodwill correction, ticket 5521',
              },
            ],
          },
        ),
        response: { 201: Written, ...errors(409, 422) },
      },
    },
    async (req, reply) => {
      if (req.body.points === 0)
        throw unprocessable('invalid_points', 'an adjustment adds or takes at least one point', 'points');
      const customer_id = await customerOf(ctx, req.body.customer, req.principal);
      const r = await transact(db, (tx) =>
        adjustPoints(tx, req.principal, {
          customer_id,
          points: req.body.points,
          reason: req.body.reason,
          now: new Date(),
        }),
      );
      return reply.code(201).send(r);
    },
  );

  app.post(
    '/points/earn',
    {
      config: { roles: ['admin', 'integration'], scope: 'points:earn' },
      schema: {
        tags: ['loyalty'],
        summary:
          "Points for an act that is not a purchase (returning packaging, a review): the act's points from the rules, or a number (admin)",
        description:
          'Once per act and ref: the same ref again answers with the first entry (replayed: true). An act earns at most act_daily_limits times a day per customer (429 act_daily_limit). ' +
          'points (a number instead of, or over, the rules) is for admin keys only (403).',
        body: Type.Object(
          {
            customer: CustomerRef,
            points: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
            act: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]*$' })),
            reason: FreeText(500, { minLength: 1 }),
            ref: Type.String({ minLength: 1, maxLength: 200 }),
          },
          {
            additionalProperties: false,
            examples: [
              {
                customer: { type: 'phone', value: '+8613800138000' },
                act: 'review',
                reason: 'review of SKU00042',
                ref: 'review-9876',
              },
            ],
          },
        ),
        response: { 201: Type.Object({ ...Written.properties, replayed: Type.Boolean() }), ...errors(409, 422) },
      },
    },
    async (req, reply) => {
      if (req.body.points !== undefined && req.principal.role !== 'admin')
        throw forbidden('only an admin gives a number of points; others earn what the rules give an act');
      const customer_id = await customerOf(ctx, req.body.customer, req.principal);
      const { customer: _c, ...rest } = req.body;
      const r = await transact(db, (tx) => earnForAct(tx, req.principal, { ...rest, customer_id, now: new Date() }));
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/loyalty/rules',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        tags: ['loyalty'],
        summary: 'Points rules: earning, redemption rate and cap, expiry, acts, referral rewards',
        response: { 200: RulesSchema, ...errors() },
      },
    },
    async () => loyaltyRules(db),
  );

  app.put(
    '/loyalty/rules',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['loyalty'],
        summary: 'Change the points rules (the fields given replace the current ones)',
        body: RulesPatchSchema,
        response: { 200: RulesSchema, ...errors(422) },
      },
    },
    async (req) => updateRules(db, req.body as Parameters<typeof updateRules>[1]),
  );
};
