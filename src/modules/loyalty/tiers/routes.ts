import { errors } from '../../../platform/http/schemas';
import type { ModuleRoutes } from '../../../platform/http/types';
import { tierRules, updateTiers } from './rules';
import { TierRulesSchema } from './schemas';

export const tierRoutes: ModuleRoutes = (ctx) => async (app) => {
  const db = ctx.database.db;

  app.get(
    '/loyalty/tiers',
    {
      config: { roles: ['admin', 'marketer'] },
      schema: {
        tags: ['loyalty'],
        summary: 'Member tiers: 12-month spend thresholds, points multipliers, coupons on reaching a tier',
        response: { 200: TierRulesSchema, ...errors() },
      },
    },
    async () => tierRules(db),
  );

  app.put(
    '/loyalty/tiers',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['loyalty'],
        summary: 'Replace the tier rules (lowest first, from min_spend 0)',
        description: 'Upgrades happen at once on an order; downgrades by the daily evaluation.',
        body: TierRulesSchema,
        response: { 200: TierRulesSchema, ...errors(422) },
      },
    },
    async (req) => updateTiers(db, req.body),
  );
};
