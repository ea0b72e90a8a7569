/**
 * The fulfilment state machine as the console needs it: which steps a store can take next. It mirrors
 * src/modules/fulfilment/state.ts (the API refuses anything else with 409 invalid_transition).
 * `failed` and the courier's `delivered` are left out: they are not a counter's buttons.
 */

/** Fulfilments still waiting for the store: its work queue. */
export const OPEN_STATUSES = ['allocated', 'picked', 'packed', 'ready_for_pickup'] as const;

export type StoreStep = 'picked' | 'packed' | 'ready_for_pickup' | 'shipped' | 'out_for_delivery';

const PICKUP: Record<string, StoreStep[]> = {
  allocated: ['picked', 'ready_for_pickup'],
  picked: ['packed', 'ready_for_pickup'],
  packed: ['ready_for_pickup'],
};

const DELIVERY: Record<string, StoreStep[]> = {
  allocated: ['picked', 'out_for_delivery'],
  picked: ['packed', 'shipped', 'out_for_delivery'],
  packed: ['shipped', 'out_for_delivery'],
};

/** The steps that may follow, the usual next one first. */
export function nextSteps(type: string, status: string): StoreStep[] {
  const table = type === 'pickup' ? PICKUP : type === 'delivery' ? DELIVERY : {};
  return table[status] ?? [];
}

/** A pickup waiting at the counter: handed over with the customer's pickup code. */
export function awaitsCollection(f: { type: string; status: string }): boolean {
  return f.type === 'pickup' && f.status === 'ready_for_pickup';
}
