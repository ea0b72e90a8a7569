import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { byteOrder } from '../../platform/db/locks';
import './tables';

/** A behaviour event another module records for a person, from one of its domain events. */
export interface CustomerEventInput {
  /** Unique and stable for the fact (the same fact again is not a second event). */
  event_id: string;
  /** A custom type: lower-case, dotted (e.g. presale.reserved). */
  type: string;
  customer_id: string;
  channel: string;
  location_id: string | null;
  properties: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Records events of known customers in the caller's transaction (a dispatcher subscriber's), so
 * what reads behaviour events (journeys' event triggers, segments, the timeline) reads them as any
 * ingested event. An event_id already recorded, or a customer erased or unknown, writes nothing.
 * Answers how many were written.
 */
export async function recordCustomerEvents(tx: Tx, events: CustomerEventInput[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = [...events]
    .sort((a, b) => byteOrder(a.event_id, b.event_id)) // one order for concurrent writers
    .map((e) => ({
      e: e.event_id,
      t: e.type,
      o: new Date(e.occurred_at).toISOString(),
      c: e.channel,
      u: e.customer_id,
      l: e.location_id,
      p: e.properties,
    }));
  const r = await sql`
    INSERT INTO customer_events (event_id, type, occurred_at, channel, customer_id, location_id, properties)
    SELECT x.e, x.t, x.o, x.c, x.u, x.l, x.p
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS x(e text, t text, o timestamptz, c text, u text, l text, p jsonb)
    WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = x.u AND c.erased_at IS NULL)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING 1`.execute(tx);
  return r.rows.length;
}
