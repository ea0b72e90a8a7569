import { Type } from '@sinclair/typebox';
import { errors } from '../../platform/http/schemas';
import type { ModuleRoutes } from '../../platform/http/types';
import { previewSegment } from './preview';
import { checkRule } from './rule';

const PreviewBody = Type.Object(
  // The rule is checked by parseRule, whose errors name the path inside it.
  { rule: Type.Unknown({ description: 'A rule of the rule language (README, Segments)' }) },
  {
    additionalProperties: false,
    examples: [
      {
        rule: {
          all: [
            { consent: { purpose: 'marketing_sms', granted: true } },
            { ordered: { spend: { gte: 100000 }, within_days: 365 } },
            { not: { tag: 'staff' } },
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
