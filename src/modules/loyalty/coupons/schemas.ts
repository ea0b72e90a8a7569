import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../../platform/auth/roles';
import { Fen, Id, StringEnum } from '../../../platform/http/schemas';
import { CustomerRefSchema } from '../../orders/public';

export const COUPON_KINDS = ['amount_off', 'percent_off', 'threshold', 'free_delivery', 'gift'] as const;
/** Single channels and the groups `online` (every channel but pos) and `store` (pos). */
export const CHANNEL_SCOPES = [...CHANNELS, 'online', 'store'] as const;

const DateTime = Type.String({ format: 'date-time', description: 'ISO-8601 with a time zone' });

export const TemplateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    kind: StringEnum(COUPON_KINDS),
    value: Type.Optional(
      Fen('amount_off/threshold: fen off; percent_off: percent off (1..100, 10 = 9折); gift/free_delivery: 0'),
    ),
    cap: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e13, description: 'percent_off: the most fen off' })),
    min_spend: Type.Optional(Fen('fen the eligible lines must reach (threshold: the X of 满X减Y)')),
    gift_sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'gift: the SKU given' })),
    channels: Type.Array(StringEnum(CHANNEL_SCOPES), {
      minItems: 1,
      maxItems: 7,
      description: 'channels and/or groups online, store',
    }),
    skus: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 500 })),
    categories: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 })),
    locations: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 500 })),
    valid_from: Type.Optional(DateTime),
    valid_to: Type.Optional(DateTime),
    valid_days_after_claim: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    budget: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1e9, description: 'most coupons ever issued; absent = no limit' }),
    ),
    per_customer_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
    stackable: Type.Optional(Type.Boolean({ default: false })),
    restore_on_cancel: Type.Optional(Type.Boolean({ default: true })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: '满100减20 ¥20 off ¥100',
        kind: 'threshold',
        value: 2000,
        min_spend: 10000,
        channels: ['online', 'pos'],
        valid_days_after_claim: 30,
        budget: 5000,
      },
    ],
  },
);

export const TemplatePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    budget: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e9 })),
    valid_to: Type.Optional(DateTime),
    status: Type.Optional(StringEnum(['active', 'paused'] as const)),
  },
  { additionalProperties: false, examples: [{ budget: 8000, valid_to: '2027-01-31T23:59:59+08:00' }] },
);

export const TemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  value: Type.Integer(),
  cap: Type.Union([Type.Integer(), Type.Null()]),
  min_spend: Type.Integer(),
  gift_sku: Type.Union([Type.String(), Type.Null()]),
  channels: Type.Array(Type.String()),
  skus: Type.Union([Type.Array(Type.String()), Type.Null()]),
  categories: Type.Union([Type.Array(Type.String()), Type.Null()]),
  locations: Type.Union([Type.Array(Type.String()), Type.Null()]),
  valid_from: Type.Union([Type.String(), Type.Null()]),
  valid_to: Type.Union([Type.String(), Type.Null()]),
  valid_days_after_claim: Type.Union([Type.Integer(), Type.Null()]),
  budget: Type.Union([Type.Integer(), Type.Null()]),
  per_customer_limit: Type.Union([Type.Integer(), Type.Null()]),
  stackable: Type.Boolean(),
  restore_on_cancel: Type.Boolean(),
  status: Type.String(),
  issued: Type.Integer(),
  redeemed: Type.Integer(),
  redemptions_by_channel: Type.Record(Type.String(), Type.Integer()),
  discount_total: Type.Integer({ description: 'fen given by redemptions that stand (not restored)' }),
  created_at: Type.String(),
});

export const CustomerRefBody = CustomerRefSchema;

export const IssueBody = Type.Object(
  { template_id: Id, customer: CustomerRefBody },
  {
    additionalProperties: false,
    examples: [{ template_id: 'cpt_01jeb1x2y3z4a5b6c7d8e9f0g1', customer: { id: 'cus_01jeb2m9x4k7q3r8t5v6w2y9za' } }],
  },
);
export const ClaimBody = Type.Object(
  { template_id: Id, customer: CustomerRefBody, channel: Type.Optional(StringEnum(CHANNELS)) },
  {
    additionalProperties: false,
    examples: [
      {
        template_id: 'cpt_01jeb1x2y3z4a5b6c7d8e9f0g1',
        customer: { type: 'phone', value: '+8613800138000' },
        channel: 'mini_program',
      },
    ],
  },
);
export const IssuedSchema = Type.Object({
  code: Type.String(),
  display: Type.String(),
  template_id: Type.String(),
  customer_id: Type.String(),
  valid_from: Type.String(),
  valid_to: Type.Union([Type.String(), Type.Null()]),
});

export const CodeParam = Type.Object({
  code: Type.String({
    minLength: 1,
    maxLength: 40,
    pattern: '^[A-Za-z0-9 -]+$',
    description: 'the code, dashes and case optional',
  }),
});

export const CouponSchema = Type.Object({
  code: Type.String(),
  display: Type.String(),
  status: Type.String(),
  customer_id: Type.String(),
  via: Type.String(),
  issued_at: Type.String(),
  valid_from: Type.String(),
  valid_to: Type.Union([Type.String(), Type.Null()]),
  template: Type.Object({
    id: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    value: Type.Integer(),
    cap: Type.Union([Type.Integer(), Type.Null()]),
    min_spend: Type.Integer(),
    gift_sku: Type.Union([Type.String(), Type.Null()]),
    channels: Type.Array(Type.String()),
    locations: Type.Union([Type.Array(Type.String()), Type.Null()]),
    skus: Type.Union([Type.Array(Type.String()), Type.Null()]),
    categories: Type.Union([Type.Array(Type.String()), Type.Null()]),
    stackable: Type.Boolean(),
  }),
  redemption: Type.Union([
    Type.Object({
      order_ref: Type.String(),
      channel: Type.String(),
      location_id: Type.Union([Type.String(), Type.Null()]),
      amount: Type.Integer(),
      at: Type.String(),
    }),
    Type.Null(),
  ]),
  usable: Type.Boolean({ description: 'usable now in the channel and store asked about (any, when not given)' }),
  reason: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
});

export const RedeemBody = Type.Object(
  {
    order_ref: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'the order id (integration keys: an order of their channel) or the POS document number',
    }),
    channel: StringEnum(CHANNELS),
    location_id: Type.Optional(Id),
    amount: Fen('fen the coupon took off the order'),
  },
  {
    additionalProperties: false,
    examples: [{ order_ref: 'POS-st-renmin-20261205-0042', channel: 'pos', location_id: 'st-renmin', amount: 2000 }],
  },
);
export const RedeemedSchema = Type.Object({
  code: Type.String(),
  status: Type.String(),
  template_id: Type.String(),
  customer_id: Type.String(),
  order_ref: Type.String(),
  channel: Type.String(),
  location_id: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Integer(),
  redeemed_at: Type.String(),
});
