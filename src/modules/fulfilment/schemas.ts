import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../../platform/http/schemas';
import { FULFILMENT_EVENTS } from './state';

export const FulfilmentSchema = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  location_id: Type.String(),
  type: Type.String(),
  speed: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  next_statuses: Type.Array(StringEnum(FULFILMENT_EVENTS), {
    description: 'the events (each names the new status) the state machine allows next; anything else is answered 409',
  }),
  eta: Type.Union([Type.String(), Type.Null()]),
  courier: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(
    Type.Object({ sku: Type.String(), product_name: Type.Union([Type.String(), Type.Null()]), qty: Type.Integer() }),
  ),
  events: Type.Array(Type.Object({ type: Type.String(), at: Type.String(), source: Type.String() })),
  created_at: Type.String(),
});

export type FulfilmentView = Static<typeof FulfilmentSchema>;
