import type { Tx } from '../../platform/db/database';
import type { PublishedEvent } from '../../platform/events/outbox';
import { recordCustomerEvents, type CustomerEventInput } from '../customers/public';
import './tables';

/** The pre-sale events that become the people's own behaviour events (journeys trigger on them). */
export const PRESALE_CUSTOMER_EVENTS = ['presale.reserved', 'presale.launched'];

/** Reservations held at the launch (deposit paid or none asked), converted or being converted included. */
const HELD = ['reserved', 'converting', 'converted'] as const;

/**
 * The dispatcher's subscriber for PRESALE_CUSTOMER_EVENTS: records each as an event of the
 * people concerned, through customers' recordCustomerEvents, so a journey's event trigger
 * (`{"event": {"type": "presale.launched"}}`) enrols them like any behaviour event.
 * presale.reserved is the reserving person's; presale.launched is every person holding a
 * reservation of the pre-sale (to invite them in), with their reservation's store and quantity.
 * Event ids are derived from the facts, so a redelivered batch records nothing twice.
 */
export async function recordPresaleCustomerEvents(events: PublishedEvent[], tx: Tx): Promise<void> {
  const out: CustomerEventInput[] = [];
  for (const e of events) {
    const p = e.payload;
    if (e.type === 'presale.reserved')
      out.push({
        event_id: `presale.reserved:${String(p.reservation_id)}`,
        type: e.type,
        customer_id: String(p.customer_id),
        channel: String(p.channel ?? 'pos'),
        location_id: String(p.location_id),
        properties: {
          presale_id: p.presale_id,
          reservation_id: p.reservation_id,
          sku: p.sku,
          qty: p.qty,
          location_id: p.location_id,
          launch_at: p.launch_at,
        },
        occurred_at: e.occurredAt,
      });
    else {
      const held = await tx
        .selectFrom('presale_reservations')
        .select(['id', 'customer_id', 'location_id', 'channel', 'qty'])
        .where('presale_id', '=', String(p.presale_id))
        .where('status', 'in', HELD)
        .execute();
      for (const r of held)
        out.push({
          event_id: `presale.launched:${r.id}`,
          type: e.type,
          customer_id: r.customer_id,
          channel: r.channel,
          location_id: r.location_id,
          properties: {
            presale_id: p.presale_id,
            reservation_id: r.id,
            sku: p.sku,
            qty: r.qty,
            location_id: r.location_id,
          },
          occurred_at: e.occurredAt,
        });
    }
  }
  await recordCustomerEvents(tx, out);
}
