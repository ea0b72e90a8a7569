import type { Static } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database';
import type { Principal } from '../../platform/auth/roles';
import { forbidden } from '../../platform/http/errors';
import { decodeCursor, page } from '../../platform/http/pagination';
import type { OrderSummarySchema } from './schemas';
import { customerGroupIds } from '../customers/public';

export const ORDER_CHANNELS = ['app', 'mini_program', 'web', 'pos', 'group_buy'] as const;
/** Every status an order can be in (its fulfilments' statuses decide the later ones: fulfilment/state.ts). */
export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'in_fulfilment',
  'ready_for_pickup',
  'shipped',
  'completed',
  'cancelled',
  'expired',
  'fulfilment_failed',
] as const;

export type OrderView = Static<typeof OrderSummarySchema>;

type OrderRow = {
  id: string;
  channel: string;
  customer_id: string | null;
  location_id: string | null;
  fulfillment_type: string;
  status: string;
  currency: string;
  subtotal: string;
  discount_total: string;
  delivery_fee: string;
  total: string;
  placed_at: Date;
  paid_at: Date | null;
  payment_method: string | null;
};

function toView(r: OrderRow): OrderView {
  return {
    id: r.id,
    channel: r.channel,
    customer_id: r.customer_id,
    location_id: r.location_id,
    fulfillment_type: r.fulfillment_type,
    status: r.status,
    currency: r.currency,
    totals: {
      subtotal: Number(r.subtotal),
      discount: Number(r.discount_total),
      delivery_fee: Number(r.delivery_fee),
      total: Number(r.total),
    },
    placed_at: r.placed_at.toISOString(),
    paid_at: r.paid_at ? r.paid_at.toISOString() : null,
    payment_method: r.payment_method as OrderView['payment_method'],
  };
}

const COLUMNS = [
  'id',
  'channel',
  'customer_id',
  'location_id',
  'fulfillment_type',
  'status',
  'currency',
  'subtotal',
  'discount_total',
  'delivery_fee',
  'total',
  'placed_at',
  'paid_at',
  'payment_method',
] as const;

export interface OrderFilter {
  customer_id?: string;
  /** An order id or the start of one. */
  q?: string;
  /** First and last day (inclusive) the order was placed on, YYYY-MM-DD in the retailer's time zone. */
  from?: string;
  to?: string;
  channel?: string;
  location_id?: string;
  status?: string;
  cursor?: string;
  limit: number;
}

/** Newest first. Store staff see only their own store's orders, integration keys their channel's (asking for another is 403). */
export async function listOrders(db: Queryable, principal: Principal, tz: string, f: OrderFilter) {
  const after = decodeCursor(f.cursor, 2, ['time', 'string']);
  let q = db
    .selectFrom('orders')
    .select(COLUMNS)
    .orderBy('placed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.customer_id) {
    const id = f.customer_id;
    // the whole person: the customer and everyone merged into them
    q = q.where('customer_id', 'in', customerGroupIds(id));
  }
  if (principal.role === 'integration' && f.channel && f.channel !== principal.channel)
    throw forbidden(`this key reads channel ${principal.channel}'s orders only`);
  const channel = principal.role === 'integration' ? principal.channel : f.channel;
  if (channel) q = q.where('channel', '=', channel);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.q) q = q.where('id', 'like', `${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.from) q = q.where('placed_at', '>=', sql<Date>`(${f.from}::date::timestamp AT TIME ZONE ${tz})`);
  if (f.to) q = q.where('placed_at', '<', sql<Date>`((${f.to}::date + 1)::timestamp AT TIME ZONE ${tz})`);
  const location = principal.role === 'store_staff' ? principal.locationId : f.location_id;
  if (location) q = q.where('location_id', '=', location);
  if (after) {
    const [at, id] = [new Date(String(after[0])), String(after[1])];
    q = q.where((eb) => eb.or([eb('placed_at', '<', at), eb.and([eb('placed_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = (await q.execute()).map(toView);
  return page(rows, f.limit, (o) => [o.placed_at, o.id]);
}
