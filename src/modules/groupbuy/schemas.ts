import { Type } from '@sinclair/typebox';
import { Day, Fen, Id, StringEnum } from '../../platform/http/schemas';

const Percent = Type.Number({
  minimum: 0,
  maximum: 100,
  multipleOf: 0.01,
  description: 'percent, at most two decimals',
});
const Name = Type.String({ minLength: 1, maxLength: 60 });
const Sku = Type.String({ minLength: 1, maxLength: 64 });
const Instant = Type.String({ format: 'date-time', maxLength: 40 });

export const LeaderBody = Type.Object(
  {
    customer_id: Id,
    location_id: Id,
    commission_percent: Percent,
    display_name: Name,
  },
  {
    additionalProperties: false,
    examples: [{ customer_id: 'cus_01', location_id: 'st-renmin', commission_percent: 8, display_name: '人民路王姐' }],
  },
);

export const LeaderPatch = Type.Object(
  {
    location_id: Type.Optional(Id),
    commission_percent: Type.Optional(Percent),
    display_name: Type.Optional(Name),
    status: Type.Optional(StringEnum(['active', 'inactive'] as const)),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ commission_percent: 10 }] },
);

export const LeaderSchema = Type.Object({
  id: Type.String(),
  customer_id: Type.String(),
  location_id: Type.String(),
  display_name: Type.String(),
  commission_percent: Type.Number(),
  status: Type.String(),
  created_at: Type.String(),
});

export const CampaignBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 120 }),
    items: Type.Array(
      Type.Object(
        {
          sku: Sku,
          price: Fen('the campaign price in fen: a channel price, the same for every member'),
          total_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          per_customer_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    location_ids: Type.Optional(
      Type.Array(Id, { maxItems: 500, description: "the pickup points it runs at; absent: every leader's" }),
    ),
    opens_at: Instant,
    cutoff_at: Instant,
    pickup_date: Day('the day the members collect their orders'),
    source_location_id: Id,
  },
  {
    additionalProperties: false,
    examples: [
      {
        title: '周末水果团',
        items: [{ sku: 'SKU00042', price: 1990, total_limit: 500, per_customer_limit: 3 }],
        opens_at: '2026-12-05T02:00:00Z',
        cutoff_at: '2026-12-06T14:00:00Z',
        pickup_date: '2026-12-07',
        source_location_id: 'dc-east',
      },
    ],
  },
);

const Line = Type.Object({
  sku: Type.String(),
  product_name: Type.Union([Type.String(), Type.Null()]),
  qty: Type.Integer(),
});

export const CampaignSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: StringEnum(['scheduled', 'open', 'closed', 'shipped'] as const),
  opens_at: Type.String(),
  cutoff_at: Type.String(),
  pickup_date: Type.String(),
  source_location_id: Type.String(),
  location_ids: Type.Array(Type.String()),
  items: Type.Array(
    Type.Object({
      sku: Type.String(),
      product_name: Type.Union([Type.String(), Type.Null()]),
      price: Type.Integer(),
      total_limit: Type.Union([Type.Integer(), Type.Null()]),
      per_customer_limit: Type.Union([Type.Integer(), Type.Null()]),
      sold: Type.Integer({
        description: 'units on live orders: an order cancelled or expired gives its units back to the limits',
      }),
    }),
  ),
  points: Type.Array(
    Type.Object({
      location_id: Type.String(),
      orders: Type.Integer({ description: 'orders not cancelled or expired' }),
      units: Type.Integer(),
      sales: Type.Integer({ description: 'fen' }),
      shipment: Type.Union([
        Type.Object({
          id: Type.String(),
          shipped_at: Type.String(),
          received_at: Type.Union([Type.String(), Type.Null()]),
          lines: Type.Array(Line),
        }),
        Type.Null(),
      ]),
    }),
    { description: 'sales per pickup point, and its consolidated shipment once shipped (in transit until received)' },
  ),
  share_links: Type.Array(Type.Object({ leader_id: Type.String(), display_name: Type.String(), url: Type.String() })),
  created_at: Type.String(),
});

export const CampaignSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  opens_at: Type.String(),
  cutoff_at: Type.String(),
  pickup_date: Type.String(),
  orders: Type.Integer(),
  sales: Type.Integer(),
});

export const ShipmentSchema = Type.Object({
  id: Type.String(),
  campaign_id: Type.String(),
  location_id: Type.String(),
  source_location_id: Type.String(),
  shipped_at: Type.String(),
  received_at: Type.Union([Type.String(), Type.Null()]),
  orders: Type.Integer({ description: 'orders made ready for pickup' }),
  lines: Type.Array(Line),
});

export const PickupSchema = Type.Object({
  order_id: Type.String(),
  customer_id: Type.String(),
  customer_name: Type.Union([Type.String(), Type.Null()], {
    description: 'as your role may see it (masked for store staff)',
  }),
  campaign_id: Type.String(),
  leader_id: Type.String(),
  fulfillment_id: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(Line),
  status: Type.String(),
});

export const CommissionSchema = Type.Object({
  leader_id: Type.String(),
  period: Type.String(),
  orders: Type.Integer({ description: 'orders collected in the month' }),
  net_sales: Type.Integer({ description: 'what was paid for them less refunds, fen' }),
  commission: Type.Integer({ description: "Σ each order's frozen percent × its net sales, fen" }),
});
