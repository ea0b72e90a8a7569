import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { localDayHour } from '../../platform/nightly';
import type { KeyRing } from '../../platform/crypto/keys';
import { appointmentEventsBetween } from '../appointments/public';
import { peopleByDateTrait } from '../customers/public';
import { eventsReceivedBetween, groupEvents, segmentPeople, underPeople } from '../customers/public';
import { isSale, orderSummaries } from '../orders/public';
import { segmentEntries } from '../segments/public';
import { enrol, type Entrant, type JourneyRow } from './enrol';

/**
 * Trigger intake: who entered the journey since its last intake. Event and segment triggers read
 * what arrived after the journey's cursor (events by received_at, appointments' bookings and completions
 * alike, segment entries by entered_at),
 * from READ_LAG_MS before it, since a transaction may commit a little after the time it wrote;
 * the enrolments' unique (journey, trigger key) makes reading a row twice harmless. Inactive and
 * date triggers scan the base at activation and then every `scanMs`; a broadcast enrols its
 * segment once, at its time. Each intake runs in one transaction under the journey's intake lock.
 */

export const READ_LAG_MS = 120_000;
/** Most events read per journey per intake; the cursor stops at the last one read. */
const EVENT_BATCH = 5000;
const DAY_MS = 86_400_000;

export interface IntakeRow extends JourneyRow {
  cursor_at: Date | null;
  scanned_at: Date | null;
}

const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** People whose last sale (any channel) and store visit were `days` or more ago, with that last time (the spell). */
async function inactive(tx: Tx, days: number, now: Date): Promise<Entrant[]> {
  const r = await sql<{ root: string; last: Date }>`
    SELECT a.root, max(a.at) AS last FROM (
      SELECT o.root, o.placed_at AS at FROM ${underPeople(orderSummaries)} o WHERE ${isSale('o')}
      UNION ALL SELECT e.root, e.occurred_at FROM ${groupEvents} e WHERE e.type = 'store_visit'
    ) a JOIN ${segmentPeople} p ON p.id = a.root
    GROUP BY a.root HAVING max(a.at) <= ${iso(new Date(now.getTime() - days * DAY_MS))}`.execute(tx);
  return r.rows.map((x) => {
    const last = new Date(x.last).toISOString();
    return { root: x.root, key: `inactive:${x.root}:${last}`, payload: { last_activity_at: last } };
  });
}

/** People whose date trait falls `daysBefore` days after today (retailer's time zone), once a year each. */
async function dateTrait(
  tx: Tx,
  keys: KeyRing,
  trait: string,
  daysBefore: number,
  now: Date,
  timezone: string,
): Promise<Entrant[]> {
  const target = localDayHour(new Date(now.getTime() + daysBefore * DAY_MS), timezone).day;
  const ids = await peopleByDateTrait(tx, keys, trait, target.slice(5));
  return ids.map((id) => ({ root: id, key: `date:${id}:${target}`, payload: { date: target, trait } }));
}

/** Runs the journey's trigger intake at `now`; answers how many entered. */
export async function intake(
  tx: Tx,
  keys: KeyRing,
  j: IntakeRow,
  now: Date,
  timezone: string,
  scanMs: number,
): Promise<number> {
  const t = j.definition.trigger;
  const from = new Date((j.cursor_at ?? now).getTime() - READ_LAG_MS);
  let entrants: Entrant[] = [];
  let cursor: Date | null = j.cursor_at;
  let scanned: Date | null = j.scanned_at;
  const scanDue = j.scanned_at === null || now.getTime() - j.scanned_at.getTime() >= scanMs;
  if ('event' in t) {
    const r = await sql<{
      event_id: string;
      root: string;
      location_id: string | null;
      properties: Record<string, unknown>;
      received_at: Date;
    }>`
      SELECT e.event_id, e.root, e.location_id, e.properties, e.received_at
      FROM (SELECT * FROM ${eventsReceivedBetween([t.event.type], from, now)} c
            UNION ALL SELECT * FROM ${appointmentEventsBetween([t.event.type], from, now)} a) e
      ${t.event.properties ? sql`WHERE e.properties @> ${JSON.stringify(t.event.properties)}::jsonb` : sql``}
      ORDER BY e.received_at LIMIT ${EVENT_BATCH}`.execute(tx);
    entrants = r.rows.map((e) => ({
      root: e.root,
      key: `event:${e.event_id}`,
      payload: { ...e.properties, event_id: e.event_id, type: t.event.type, location_id: e.location_id },
    }));
    cursor = r.rows.length === EVENT_BATCH ? new Date(r.rows[r.rows.length - 1]!.received_at) : now;
  } else if ('segment_entered' in t) {
    const r = await sql<{ customer_id: string; entered_at: Date }>`
      SELECT s.customer_id, s.entered_at FROM ${segmentEntries(t.segment_entered, from)} s`.execute(tx);
    entrants = r.rows.map((s) => ({
      root: s.customer_id,
      key: `segment:${s.customer_id}:${new Date(s.entered_at).toISOString()}`,
      payload: { segment_id: t.segment_entered },
    }));
    cursor = now;
  } else if ('inactive' in t) {
    if (scanDue) [entrants, scanned] = [await inactive(tx, t.inactive.days, now), now];
  } else if ('date_trait' in t) {
    if (scanDue)
      [entrants, scanned] = [
        await dateTrait(tx, keys, t.date_trait.trait, t.date_trait.days_before, now, timezone),
        now,
      ];
  } else if (j.scanned_at === null && now.getTime() >= Date.parse(t.broadcast.at)) {
    const r = await sql<{
      customer_id: string;
    }>`SELECT s.customer_id FROM ${segmentEntries(t.broadcast.segment)} s`.execute(tx);
    entrants = r.rows.map((s) => ({
      root: s.customer_id,
      key: `broadcast:${s.customer_id}`,
      payload: { segment_id: t.broadcast.segment },
    }));
    scanned = now;
  }
  const n = await enrol(tx, j, entrants, now, timezone);
  await sql`UPDATE journeys SET cursor_at = ${cursor ? iso(cursor) : null}, scanned_at = ${scanned ? iso(scanned) : null}
    WHERE id = ${j.id}`.execute(tx);
  return n;
}
