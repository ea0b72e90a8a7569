import { Type } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/roles';
import { FreeText, Id, StringEnum } from '../../platform/http/schemas';

const Sku = Type.String({ minLength: 1, maxLength: 64 });

/** How an order was paid: cash, WeChat Pay, Alipay or a bank card. */
export const PAYMENT_METHODS = ['cash', 'wechat_pay', 'alipay', 'bank_card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
const PaymentMethodInput = StringEnum(PAYMENT_METHODS, {
  description: 'how the customer paid: cash, wechat_pay, alipay or bank_card',
});
const PaymentMethodOut = Type.Union([StringEnum(PAYMENT_METHODS), Type.Null()], {
  description: 'how the customer paid; null when not told',
});
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Lng = Type.Number({ minimum: -180, maximum: 180 });

export const LineInput = Type.Object(
  { sku: Sku, qty: Type.Integer({ minimum: 1, maximum: 10000 }) },
  { additionalProperties: false },
);

export const CustomerRefSchema = Type.Union([
  Type.Object({ id: Id }, { additionalProperties: false }),
  Type.Object(
    { type: Type.String({ minLength: 1, maxLength: 40 }), value: Type.String({ minLength: 1, maxLength: 200 }) },
    { additionalProperties: false },
  ),
]);

export const FulfilmentInputSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('delivery'),
      lat: Lat,
      lng: Lng,
      address: Type.String({ minLength: 1, maxLength: 500 }),
      speed: StringEnum(['hour', 'same_day', 'standard'] as const),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('pickup'), location_id: Id }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('in_store'), location_id: Id }, { additionalProperties: false }),
]);

export const PlaceOrderBody = Type.Object(
  {
    channel: StringEnum(CHANNELS),
    customer: Type.Optional(CustomerRefSchema),
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 200 }),
    fulfillment: FulfilmentInputSchema,
    coupon_codes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
    points: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    referral_code: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description: "a member's invite code; rewards both on this new customer's first paid order",
      }),
    ),
    note: Type.Optional(FreeText(500)),
    payment_method: Type.Optional(
      StringEnum(PAYMENT_METHODS, {
        description:
          'an in-store sale (pos, in_store) is paid as it is placed: how. Other orders tell it when paid (POST /v1/orders/{id}/pay)',
      }),
    ),
    group_buy: Type.Optional(
      Type.Object(
        { campaign_id: Id, leader_id: Id },
        {
          additionalProperties: false,
          description:
            "channel group_buy: the campaign and the leader (团长). Priced at the campaign's channel price, picked up at the leader's point on the pickup date; 422 campaign_closed outside the campaign's hours, 409 over an item's limit",
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        channel: 'app',
        customer: { type: 'phone', value: '+8613800138000' },
        lines: [
          { sku: 'SKU00042', qty: 2 },
          { sku: 'SKU00107', qty: 1 },
        ],
        fulfillment: {
          type: 'delivery',
          lat: 31.2304,
          lng: 121.4737,
          address: '黄浦区南京东路 100 号 12 楼',
          speed: 'hour',
        },
        coupon_codes: ['HN7K-2Q9M-4TXP'],
        points: 500,
        note: 'please ring twice',
      },
    ],
  },
);

export const PayBody = Type.Object(
  { payment_ref: Type.String({ minLength: 1, maxLength: 200 }), payment_method: Type.Optional(PaymentMethodInput) },
  {
    additionalProperties: false,
    examples: [{ payment_ref: 'wxpay-4200001234202612050001', payment_method: 'wechat_pay' }],
  },
);
export const CancelBody = Type.Optional(
  Type.Object(
    { reason: Type.Optional(FreeText(200)) },
    { additionalProperties: false, examples: [{ reason: 'the customer changed their mind' }] },
  ),
);

export const AdjustmentSchema = Type.Object({
  type: Type.String(),
  code: Type.Optional(Type.String()),
  amount: Type.Integer(),
  lines: Type.Optional(Type.Array(Type.Integer())),
  description: Type.String(),
  reason: Type.String({
    description: 'promotion_paused, coupon, coupon_free_delivery, delivery_free_from, delivery_fee or points',
  }),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
    description: 'the values of the explanation, for wording it in another language',
  }),
});

const PricingSchema = Type.Object({
  coupons: Type.Array(
    Type.Object({
      code: Type.String(),
      template_id: Type.Union([Type.String(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()]),
      kind: Type.Union([Type.String(), Type.Null()]),
      discount: Type.Integer(),
    }),
  ),
  adjustments: Type.Array(AdjustmentSchema),
});

const ReasonParams = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
  description: 'the values of the explanation, for wording it in another language',
});

const Candidate = Type.Object({
  location_id: Type.String(),
  distance_km: Type.Union([Type.Number(), Type.Null()]),
  can_fulfil: Type.Boolean(),
  why_not: Type.Optional(Type.String()),
  why_not_code: Type.Optional(
    Type.String({
      description:
        'why_not as a code (src/modules/routing/reasons.ts), with why_not_params; absent on orders placed before the codes',
    }),
  ),
  why_not_params: Type.Optional(ReasonParams),
});

const RoutingSchema = Type.Object({
  decision: Type.String(),
  reason: Type.String(),
  reason_code: Type.Optional(
    Type.String({
      description:
        'reason as a code (src/modules/routing/reasons.ts), with reason_params; absent on orders placed before the codes',
    }),
  ),
  reason_params: Type.Optional(ReasonParams),
  strategy: Type.String(),
  candidates: Type.Array(Candidate),
});

/** One order of a list (GET /v1/orders). */
export const OrderSummarySchema = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  customer_id: Type.Union([Type.String(), Type.Null()]),
  location_id: Type.Union([Type.String(), Type.Null()]),
  fulfillment_type: Type.String(),
  status: Type.String(),
  currency: Type.String(),
  totals: Type.Object({
    subtotal: Type.Integer(),
    discount: Type.Integer(),
    delivery_fee: Type.Integer(),
    total: Type.Integer(),
  }),
  placed_at: Type.String(),
  paid_at: Type.Union([Type.String(), Type.Null()]),
  payment_method: PaymentMethodOut,
});

export const OrderDetailSchema = Type.Object({
  id: Type.String(),
  status: Type.String(),
  channel: Type.String(),
  customer_id: Type.Union([Type.String(), Type.Null()]),
  location_id: Type.Union([Type.String(), Type.Null()]),
  fulfillment_type: Type.String(),
  speed: Type.Union([Type.String(), Type.Null()]),
  currency: Type.String(),
  lines: Type.Array(
    Type.Object({
      line_no: Type.Integer(),
      sku: Type.String(),
      product_name: Type.Union([Type.String(), Type.Null()], {
        description: "the product's name (null: no longer in the catalogue)",
      }),
      qty: Type.Integer(),
      unit_price: Type.Integer(),
      discount: Type.Integer({ description: 'coupon_discount + points_discount' }),
      coupon_discount: Type.Integer(),
      points_used: Type.Integer(),
      points_discount: Type.Integer(),
      amount: Type.Integer({ description: 'what the customer paid for the line in fen' }),
      returned_qty: Type.Integer(),
    }),
  ),
  totals: Type.Object({
    subtotal: Type.Integer(),
    discount: Type.Integer(),
    coupon_discount: Type.Integer(),
    points_discount: Type.Integer(),
    points_used: Type.Integer(),
    delivery_fee: Type.Integer(),
    total: Type.Integer(),
    refunded: Type.Integer(),
  }),
  pricing: PricingSchema,
  allocations: Type.Array(
    Type.Object({
      fulfillment_id: Type.String(),
      location_id: Type.String(),
      type: Type.String(),
      lines: Type.Array(Type.Object({ sku: Type.String(), qty: Type.Integer() })),
      speed: Type.Union([Type.String(), Type.Null()]),
      eta: Type.Union([Type.String(), Type.Null()]),
      status: Type.String(),
    }),
  ),
  routing: Type.Union([RoutingSchema, Type.Null()]),
  pickup_code: Type.Optional(Type.String()),
  reserved_until: Type.Optional(Type.String()),
  placed_at: Type.String(),
  paid_at: Type.Union([Type.String(), Type.Null()]),
  payment_ref: Type.Union([Type.String(), Type.Null()]),
  payment_method: PaymentMethodOut,
  note: Type.Union([Type.String(), Type.Null()]),
});

export const ReturnBody = Type.Object(
  {
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 200 }),
    location_id: Id,
    reason: FreeText(200, { minLength: 1 }),
  },
  {
    additionalProperties: false,
    examples: [{ lines: [{ sku: 'SKU00042', qty: 1 }], location_id: 'st-renmin', reason: 'damaged packaging' }],
  },
);

export const ReturnSchema = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  location_id: Type.String(),
  reason: Type.String(),
  refund_amount: Type.Integer(),
  lines: Type.Array(
    Type.Object({
      sku: Type.String(),
      product_name: Type.Union([Type.String(), Type.Null()]),
      qty: Type.Integer(),
      amount: Type.Integer(),
    }),
  ),
  created_at: Type.String(),
});
