/**
 * What a store's counter does with a fulfilment. The state machine is the server's: each fulfilment
 * carries `next_statuses`, the events it may take next (src/modules/fulfilment/state.ts).
 */
import type { Fulfilment } from './api';

/** Fulfilments still waiting for the store: its work queue. */
export const OPEN_STATUSES = ['allocated', 'picked', 'packed', 'ready_for_pickup'] as const;

type NextStatus = Fulfilment['next_statuses'][number];
/** `failed` and the courier's `delivered` are not a counter's buttons; `collected` takes the pickup code. */
export type StoreStep = Exclude<NextStatus, 'failed' | 'delivered' | 'collected'>;
const NOT_STORE_STEPS: readonly NextStatus[] = ['failed', 'delivered', 'collected'];

/** The steps that may follow, the usual next one first. */
export function nextSteps(f: Fulfilment): StoreStep[] {
  return f.next_statuses.filter((s): s is StoreStep => !NOT_STORE_STEPS.includes(s));
}

/** A pickup waiting at the counter: handed over with the customer's pickup code. */
export function awaitsCollection(f: { type: string; status: string }): boolean {
  return f.type === 'pickup' && f.status === 'ready_for_pickup';
}
