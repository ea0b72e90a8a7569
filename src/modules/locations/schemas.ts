import { Type } from '@sinclair/typebox';

export const LocationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.Union([Type.Literal('dc'), Type.Literal('store'), Type.Literal('dark_store')]),
  lat: Type.Number(),
  lng: Type.Number(),
  timezone: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  opening_hours: Type.Union([
    Type.Unsafe<Partial<Record<string, [string, string][]>>>({
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
    }),
    Type.Null(),
  ]),
  capabilities: Type.Object({
    ship: Type.Boolean(),
    pickup: Type.Boolean(),
    local_delivery_km: Type.Union([Type.Number(), Type.Null()]),
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('closed')], {
    description: 'closed: takes no new orders; routing and nearby search skip it',
  }),
});
