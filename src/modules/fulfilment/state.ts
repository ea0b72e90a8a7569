export const FULFILMENT_EVENTS = [
  'picked',
  'packed',
  'shipped',
  'ready_for_pickup',
  'out_for_delivery',
  'delivered',
  'collected',
  'failed',
] as const;
/** Every status a fulfilment can be in: before payment, allocated, each event's, and the ends of in-store sales and cancellations. */
export const FULFILMENT_STATUSES = ['pending', 'allocated', ...FULFILMENT_EVENTS, 'completed', 'cancelled'] as const;
export type FulfilmentEvent = (typeof FULFILMENT_EVENTS)[number];

/** From each status, the events that may follow, per fulfilment type. The event's name is the new status. */
const DELIVERY: Record<string, FulfilmentEvent[]> = {
  allocated: ['picked', 'out_for_delivery', 'failed'],
  picked: ['packed', 'shipped', 'out_for_delivery', 'failed'],
  packed: ['shipped', 'out_for_delivery', 'failed'],
  shipped: ['out_for_delivery', 'delivered', 'failed'],
  out_for_delivery: ['delivered', 'failed'],
};
const PICKUP: Record<string, FulfilmentEvent[]> = {
  allocated: ['picked', 'ready_for_pickup', 'failed'],
  picked: ['packed', 'ready_for_pickup', 'failed'],
  packed: ['ready_for_pickup', 'failed'],
  ready_for_pickup: ['collected', 'failed'],
};

/** The events a fulfilment of this type may take next from this status (none once it is final). */
export function nextStatuses(type: string, status: string): FulfilmentEvent[] {
  const table = type === 'pickup' ? PICKUP : type === 'delivery' ? DELIVERY : {};
  return table[status] ?? [];
}

export function allowed(type: string, status: string, event: FulfilmentEvent): boolean {
  return nextStatuses(type, status).includes(event);
}

/** The order's status, derived from its fulfilments' statuses. */
export function orderStatusFrom(statuses: string[]): string {
  if (statuses.every((s) => s === 'delivered' || s === 'collected' || s === 'completed')) return 'completed';
  if (statuses.some((s) => s === 'failed')) return 'fulfilment_failed';
  if (statuses.some((s) => s === 'shipped' || s === 'out_for_delivery' || s === 'delivered')) return 'shipped';
  if (statuses.some((s) => s === 'ready_for_pickup')) return 'ready_for_pickup';
  if (statuses.some((s) => s === 'picked' || s === 'packed')) return 'in_fulfilment';
  return 'paid';
}
