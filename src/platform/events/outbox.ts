import type { Queryable } from '../db/database';

export interface DomainEvent {
  aggregateType: string;
  aggregateId: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface PublishedEvent extends DomainEvent {
  id: string;
  occurredAt: Date;
}

/**
 * Records an event in the transactional outbox. Call it with the transaction that makes the
 * change, so the event exists if and only if the change committed.
 */
export async function publish(tx: Queryable, event: DomainEvent): Promise<void> {
  await publishAll(tx, [event]);
}

/** Records several events with one statement, in this order (outbox ids follow it). */
export async function publishAll(tx: Queryable, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insertInto('outbox').values(events.map(outboxRow)).execute();
}

/** The outbox row of an event, for a caller that writes it within a larger statement. */
export function outboxRow(event: DomainEvent) {
  return {
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    type: event.type,
    payload: JSON.stringify(event.payload),
    dispatched_at: null,
  };
}
