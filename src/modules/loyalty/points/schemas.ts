import { Type } from '@sinclair/typebox';
import { Id } from '../../../platform/http/schemas';

export const CustomerRef = Type.Union([
  Type.Object({ id: Id }, { additionalProperties: false }),
  Type.Object(
    { type: Type.String({ minLength: 1, maxLength: 40 }), value: Type.String({ minLength: 1, maxLength: 200 }) },
    { additionalProperties: false },
  ),
]);

export const ExpiringSoonSchema = Type.Object(
  { points: Type.Integer(), items: Type.Array(Type.Object({ expires_at: Type.String(), points: Type.Integer() })) },
  { description: 'points that expire within the next 30 days, by expiry date' },
);

export const PointsSummarySchema = Type.Object({ balance: Type.Integer(), expiring_soon: ExpiringSoonSchema });

export const HistoryItemSchema = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'earn | redeem | expire | reverse | adjust' }),
  points: Type.Integer({ description: 'signed change of the balance' }),
  source: Type.String({ description: 'order, return, cancel, act:<name>, referral, adjust, expiry' }),
  order_ref: Type.Union([Type.String(), Type.Null()]),
  event_ref: Type.Union([Type.String(), Type.Null()]),
  reverses: Type.Union([Type.String(), Type.Null()], {
    description: "reverse entries: 'earn' (earned points taken back) or 'redeem' (spent points given back)",
  }),
  unrecovered: Type.Integer({
    description:
      'A reversal never takes the balance below zero: when earned points being reversed were already spent, it takes what is there and the rest is recorded here (not pursued later).',
  }),
  reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  expires_at: Type.Union([Type.String(), Type.Null()], { description: 'credited entries: when their points expire' }),
  remaining: Type.Union([Type.Integer(), Type.Null()], {
    description: 'credited entries: points of them not yet spent or expired',
  }),
});

const Multipliers = Type.Record(
  Type.String({ minLength: 1, maxLength: 64 }),
  Type.Number({ minimum: 0, maximum: 100 }),
  { maxProperties: 200 },
);

export const RulesSchema = Type.Object({
  points_per_yuan_redeem: Type.Integer({
    minimum: 1,
    maximum: 100000,
    description: 'points that pay 1 CNY (default 100)',
  }),
  redeem_cap_percent: Type.Integer({
    minimum: 0,
    maximum: 100,
    description: 'points pay at most this percent of the goods after coupons (default 50)',
  }),
  expiry_months: Type.Integer({
    minimum: 1,
    maximum: 120,
    description: 'points expire at the end of the n-th month after earning, retailer time (default 12)',
  }),
  earn_per_yuan: Type.Number({ minimum: 0, maximum: 1000, description: 'points per CNY paid (default 1)' }),
  channel_multipliers: Multipliers,
  category_multipliers: Multipliers,
  acts: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 1, maximum: 1_000_000 }), {
    maxProperties: 100,
    description: 'points per act that is not a purchase, e.g. {"packaging_return": 20, "review": 10}',
  }),
  act_daily_limits: Type.Record(
    Type.String({ minLength: 1, maxLength: 64 }),
    Type.Integer({ minimum: 1, maximum: 1000 }),
    {
      maxProperties: 100,
      description: 'times a customer earns an act per day, retailer time (an act not listed: once a day)',
    },
  ),
  referral: Type.Object({
    referrer_points: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    referee_points: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    referrer_coupon_template_id: Type.Union([Id, Type.Null()]),
    referee_coupon_template_id: Type.Union([Id, Type.Null()]),
  }),
});

/** PUT body: any of the fields; those given replace the current values. */
export const RulesPatchSchema = Type.Partial(
  Type.Object({
    ...RulesSchema.properties,
    referral: Type.Partial(RulesSchema.properties.referral, { additionalProperties: false }),
  }),
  {
    additionalProperties: false,
    examples: [
      { earn_per_yuan: 1, channel_multipliers: { mini_program: 2 }, acts: { packaging_return: 20, review: 10 } },
    ],
  },
);
