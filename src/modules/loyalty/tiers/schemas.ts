import { Type } from '@sinclair/typebox';
import { Id } from '../../../platform/http/schemas';

/** A tier's name per console language; `name` is the fallback. */
export const TierDisplayName = Type.Object(
  {
    'zh-CN': Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    en: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, description: 'the name shown per language (zh-CN, en); falls back to name' },
);

export const TierViewSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  display_name: Type.Optional(TierDisplayName),
  multiplier: Type.Number(),
  spend_12m: Type.Integer({ description: 'spend over the rolling 12 months, fen' }),
  next: Type.Optional(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      display_name: Type.Optional(TierDisplayName),
      min_spend: Type.Integer(),
    }),
  ),
});

export const TierRuleSchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z][a-z0-9_]*$' }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    display_name: Type.Optional(TierDisplayName),
    min_spend: Type.Integer({ minimum: 0, maximum: 1e13, description: 'fen over the rolling 12 months' }),
    multiplier: Type.Number({ minimum: 0, maximum: 100, description: 'points multiplier on orders' }),
    coupon_template_ids: Type.Array(Id, { maxItems: 20, description: 'coupon templates issued on reaching the tier' }),
  },
  { additionalProperties: false },
);

export const TierRulesSchema = Type.Object(
  { tiers: Type.Array(TierRuleSchema, { minItems: 1, maxItems: 20 }) },
  {
    additionalProperties: false,
    examples: [
      {
        tiers: [
          {
            code: 'member',
            name: 'Member',
            display_name: { 'zh-CN': '普通会员', en: 'Member' },
            min_spend: 0,
            multiplier: 1,
            coupon_template_ids: [],
          },
          {
            code: 'gold',
            name: 'Gold',
            display_name: { 'zh-CN': '金卡会员', en: 'Gold' },
            min_spend: 500000,
            multiplier: 1.5,
            coupon_template_ids: ['cpt_01jeb1x2y3z4a5b6c7d8e9f0g1'],
          },
        ],
      },
    ],
  },
);
