import { Type, type Static } from '@sinclair/typebox';
import { csvLine } from '../../platform/http/csv';
import { OrderSummarySchema } from './schemas';

/** The most orders one CSV export holds; a wider one is refused (422 export_too_large). */
export const EXPORT_MAX = 10000;

/** An order of the orders list: its summary and its customer's name as the caller may see it. */
export const OrderListItem = Type.Object({
  ...OrderSummarySchema.properties,
  customer_name: Type.Union([Type.String(), Type.Null()], {
    description: 'admins: in full; support and store staff: masked (王**); other roles, or no name: null',
  }),
});
type Item = Static<typeof OrderListItem>;

export const customerIdsOf = (items: { customer_id: string | null }[]) => [
  ...new Set(items.map((o) => o.customer_id).filter((c): c is string => c !== null)),
];

const COLUMNS = [
  'id',
  'placed_at',
  'channel',
  'location_id',
  'fulfillment_type',
  'status',
  'total_fen',
  'customer_id',
  'customer_name',
];

/** The orders as CSV, one line each: amounts in fen, times ISO 8601 UTC. */
export function ordersCsv(items: Item[]): string {
  return (
    csvLine(COLUMNS) +
    items
      .map((o) =>
        csvLine([
          o.id,
          o.placed_at,
          o.channel,
          o.location_id,
          o.fulfillment_type,
          o.status,
          o.totals.total,
          o.customer_id,
          o.customer_name,
        ]),
      )
      .join('')
  );
}
