import { Type } from '@sinclair/typebox';
import { errors } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { previewSegment } from './preview';
import { checkRule } from './rule';

const PreviewBody = Type.Object(
  // The rule is checked by checkRule, whose errors name the path inside it.
  {
    rule: Type.Unknown({
      description:
        'A rule of the rule language (README, Segments): all, any, not over the leaves trait, tag, created, consent, ' +
        'event, ordered, tier, points, rfm, lifecycle, visited_store, near_store (clv: 422 not_supported_yet)',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        rule: {
          all: [
            { consent: { purpose: 'marketing_sms', granted: true } },
            { ordered: { spend: { gte: 100000 }, within_days: 365 } },
            { not: { tag: 'staff' } },
            { any: [{ tier: { gte: 'silver' } }, { rfm: { segment: { in: ['champions', 'loyal'] } } }] },
          ],
        },
      },
    ],
  },
);

export const segmentRoutes: ModuleRoutes = (ctx) => async (app) => {
  app.post(
    '/segments/preview',
    {
      config: { roles: ['admin', 'marketer', 'analyst'], idempotent: false },
      schema: {
        tags: ['segments'],
        summary: 'Count the people a rule selects now, with a sample of up to 20 ids, without saving anything',
        description:
          'One set-based query over the whole base; merged groups count once (their root), erased and anonymous ' +
          'profiles never. rfm and lifecycle read the latest done RFM run (none yet: they match nobody); ' +
          'near_store measures from the last delivery coordinates, else the home_store trait, else the first POS ' +
          'sale. 422 invalid_rule names the path of the fault in the rule (rule.all[0].tier.in[1]), including ' +
          'unknown tiers and stores.',
        body: PreviewBody,
        response: {
          200: Type.Object({ size: Type.Integer(), sample: Type.Array(Type.String()) }),
          ...errors(422),
        },
      },
    },
    async (req) => previewSegment(ctx.database.db, await checkRule(ctx.database.db, req.body.rule), new Date()),
  );
};
